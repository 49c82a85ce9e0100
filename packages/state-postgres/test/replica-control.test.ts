import {
  abortMessage,
  createSentry,
  definePlugin,
  type JobResult,
  outcomeOfAbort,
  type RunRecord,
  type Sentry,
  type SentryEventName,
  type SentryEvents,
} from '@sentry-git/core';
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

function result(status: JobResult['status'], error: string | null = null): JobResult {
  const at = new Date().toISOString();
  return {
    status,
    exitCode: status === 'succeeded' ? 0 : null,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    output: '',
    error,
  };
}

/** Heads the test sets, shared by both replicas, and an executor that holds a job while told to. */
function forge() {
  const heads = new Map<string, string>();
  const deployed: Array<{ replica: string; sha: string }> = [];
  let holding = false;
  const plugin = (replica: string) =>
    definePlugin({
      name: 'replica-control',
      providers: [
        {
          id: 'memory-forge',
          capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
          async listHeads() {
            return { heads: [...heads].map(([branch, sha]) => ({ branch, sha })) };
          },
        },
      ],
      executors: [
        {
          id: 'hold',
          capabilities: { reattach: false },
          async execute(job, { signal, output }) {
            deployed.push({ replica, sha: job.sha });
            output('stdout', `deploying ${job.sha} on ${replica}\n`);
            if (!holding) return result('succeeded');
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
            return result(outcomeOfAbort(signal), abortMessage(signal));
          },
        },
      ],
    });
  return {
    plugin,
    heads,
    deployed,
    hold() {
      holding = true;
    },
  };
}

async function replica(url: string, id: string, test: ReturnType<typeof forge>): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'postgres', url, lease: 60 },
      repositories: [
        {
          name: 'app',
          monitor: {
            repo_url: 'https://forge.invalid/app.git',
            repo_type: 'memory-forge',
            branches: ['main'],
          },
          deploy: { executor: 'hold' },
        },
      ],
    },
    plugins: [postgresPlugin, test.plugin(id)],
    replica: id,
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

function nextEvent<K extends SentryEventName>(sentry: Sentry, name: K): Promise<SentryEvents[K]> {
  return new Promise((resolve) => {
    const off = sentry.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}

/** The first run to finish on either replica. */
function finishedOnEither(a: Sentry, b: Sentry): Promise<RunRecord> {
  return Promise.race([nextEvent(a, 'run:finish'), nextEvent(b, 'run:finish')]).then(({ run }) => run);
}

describe('an operator’s controls across replicas', () => {
  it('one replica follows and cancels a run the other runs', async () => {
    const url = await cluster.createDatabase('replica_cancel');
    const test = forge();
    test.heads.set('main', SHA('a'));
    const a = await replica(url, 'a', test);
    const b = await replica(url, 'b', test);
    await a.pollOnce();
    test.heads.set('main', SHA('b'));
    test.hold();
    const printed = nextEvent(a, 'job:output');
    const [run] = (await a.pollOnce()).runs;
    await printed;
    expect(test.deployed).toEqual([{ replica: 'a', sha: SHA('b') }]);

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
    test.heads.set('main', SHA('a'));
    const a = await replica(url, 'a', test);
    const b = await replica(url, 'b', test);
    await a.pollOnce();
    await b.pollOnce();
    await b.pause({ repository: 'app' }, { by: 'erin' });

    test.heads.set('main', SHA('b'));
    const [queued] = (await a.pollOnce()).runs;
    test.heads.set('main', SHA('c'));
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
});
