import { createSentry, type RunRecord, type Sentry } from '@sentry-git/core';
import { forgeRepository, nextEvent, type ScriptedForge, scriptedForge } from '@sentry-git/core/testing';
import { type PostgresCluster, startPostgres } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import postgresPlugin from '../src/index.js';

/**
 * An operator's controls on two replicas sharing one database: the replica that is asked is not
 * the one that runs the work, so what it asks must reach the other through the store.
 */

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

const SHA = (digit: string) => digit.repeat(40);

/** Heads the test sets, shared by both replicas; every job prints what it deploys and where. */
const forge = () => scriptedForge({ print: (job, replica) => `deploying ${job.sha} on ${replica}\n` });

async function replica(url: string, id: string, test: ScriptedForge): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'postgres', url, lease: 60 },
      repositories: [forgeRepository('app')],
    },
    plugins: [postgresPlugin, test.pluginAs(id)],
    replica: id,
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** The first run to finish on either replica (of those `accept` takes). */
function finishedOnEither(
  a: Sentry,
  b: Sentry,
  accept: (run: RunRecord) => boolean = () => true,
): Promise<RunRecord> {
  const finished = (sentry: Sentry) => nextEvent(sentry, 'run:finish', ({ run }) => accept(run));
  return Promise.race([finished(a), finished(b)]).then(({ run }) => run);
}

describe('an operator’s controls across replicas', () => {
  it('one replica follows and cancels a run the other runs', async () => {
    const url = await cluster.createDatabase('replica_cancel');
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const a = await replica(url, 'a', test);
    const b = await replica(url, 'b', test);
    await a.pollOnce();
    test.set('app', 'main', SHA('b'));
    test.hold();
    const printed = nextEvent(a, 'job:output');
    const [run] = (await a.pollOnce()).runs;
    await printed;
    expect(test.deployed.map(({ replica, sha }) => ({ replica, sha }))).toEqual([
      { replica: 'a', sha: SHA('b') },
    ]);

    const follow = b.followJob(run!.id, run!.jobs[0]!.id)[Symbol.asyncIterator]();
    expect(await follow.next()).toEqual({ done: false, value: `deploying ${SHA('b')} on a\n` });
    const finished = nextEvent(a, 'run:finish');
    const actions: string[] = [];
    b.on('action', ({ action, by, target }) => actions.push(`${by} ${action} ${target}`));
    const asked = await b.cancel(run!.id, { by: 'alice', reason: 'wrong commit' });
    expect(asked.outcome).toBe('requested');
    expect((await finished).run).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by alice: wrong commit',
    });
    expect(await follow.next()).toEqual({ done: true, value: undefined });
    expect(actions).toEqual([`alice cancel run:${run!.id}`]);
  });

  it('a pause asked of one replica keeps the other from starting the unit’s run; resume starts it', async () => {
    const url = await cluster.createDatabase('replica_pause');
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const a = await replica(url, 'a', test);
    const b = await replica(url, 'b', test);
    await a.pollOnce();
    await b.pollOnce();
    await b.pause({ repository: 'app' }, { by: 'erin' });

    test.set('app', 'main', SHA('b'));
    const [queued] = (await a.pollOnce()).runs;
    test.set('app', 'main', SHA('c'));
    await a.pollOnce();
    await Promise.all([a.idle(), b.idle()]);
    expect(test.deployed).toEqual([]);
    expect((await a.status())[0]!.paused).toMatchObject({ unit: 'repository:app', by: 'erin' });

    const finished = finishedOnEither(a, b);
    const resumed = await b.resume({ repository: 'app' }, { by: 'erin' });
    expect(resumed.queued.map((run) => run.id)).toEqual([queued!.id]);
    expect(await finished).toMatchObject({ id: queued!.id, status: 'succeeded' });
    expect(test.deployed.map((job) => job.sha)).toEqual([SHA('c')]);
  });

  it('a deploy and a re-run asked of one replica each run once, on whichever replica claims them', async () => {
    const url = await cluster.createDatabase('replica_rerun_deploy');
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const a = await replica(url, 'a', test);
    const b = await replica(url, 'b', test);
    await a.pollOnce();
    test.set('app', 'main', SHA('b'));
    const polled = finishedOnEither(a, b);
    const [first] = (await a.pollOnce()).runs;
    expect(await polled).toMatchObject({ id: first!.id, status: 'succeeded' });

    // A rollback to the first commit, asked of B (not the replica that ran the poll's run).
    const deploy = await b.deploy({ repository: 'app', branch: 'main', sha: SHA('a'), by: 'carol' });
    expect(deploy).toMatchObject({ trigger: 'deploy', requestedBy: 'carol', status: 'queued' });
    expect(await finishedOnEither(a, b, (run) => run.id === deploy.id)).toMatchObject({
      status: 'succeeded',
      jobs: [{ sha: SHA('a'), previousSha: SHA('b') }],
    });

    // The poll's run again, asked of A while B's deploy is the last one.
    const rerun = await a.rerun(first!.id, { by: 'dave' });
    expect(rerun).toMatchObject({ trigger: 'rerun', requestedBy: 'dave' });
    expect(await finishedOnEither(a, b, (run) => run.id === rerun.id)).toMatchObject({
      status: 'succeeded',
      jobs: [{ sha: SHA('b') }],
    });

    // Each ran once, whichever replica claimed it.
    expect(test.deployed.map(({ sha, trigger }) => `${trigger} ${sha[0]}`)).toEqual([
      'poll b',
      'deploy a',
      'rerun b',
    ]);
    for (const job of test.deployed) expect(['a', 'b']).toContain(job.replica);
    const runs = await b.store.listRuns({ unit: 'repository:app' });
    expect(runs.map((run) => `${run.trigger} ${run.status} ${run.requestedBy}`)).toEqual([
      'rerun succeeded dave',
      'deploy succeeded carol',
      'poll succeeded null',
    ]);
  });
});
