import { createMemoryStateStore, createSentry, definePlugin, RunCancelledError } from '@sentry-git/core';
import {
  endedNow,
  forgeRepository,
  nextEvent,
  recordEvents,
  type ScriptedForge,
  scriptedForge,
} from '@sentry-git/core/testing';
import { describe, expect, it, onTestFinished } from 'vitest';

// The first test is what docs/plugins.md ("Trying a plugin under a real engine") shows a store
// author: `pnpm typecheck` compiles it, this file runs it. "My store" is the memory store, in a
// plugin as a store author's package registers theirs.
const myStore = definePlugin({
  name: 'my-store',
  stateStores: [{ id: 'my-store', create: () => createMemoryStateStore() }],
});

const SHA = (digit: string) => digit.repeat(40);

it('my store runs an engine: a move deploys once, a cancel ends the running job', async () => {
  const forge = scriptedForge();
  const sentry = await createSentry({
    config: { polling_interval: 3600, state: { driver: 'my-store' }, repositories: [forgeRepository('app')] },
    plugins: [myStore, forge.plugin],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));

  forge.set('app', 'main', SHA('a'));
  await sentry.pollOnce(); // the first sighting is the baseline: nothing deploys
  forge.set('app', 'main', SHA('b'));
  const [deployed] = await sentry.waitForRuns((await sentry.pollOnce()).runs.map((run) => run.id));
  expect(deployed).toMatchObject({ status: 'succeeded', jobs: [{ sha: SHA('b') }] });

  forge.set('app', 'main', SHA('c'));
  forge.hold(); // the next job runs until it is released or cancelled
  const started = nextEvent(sentry, 'job:start');
  const [running] = (await sentry.pollOnce()).runs;
  await started;
  await sentry.cancel(running!.id, { by: 'alice' });
  const [cancelled] = await sentry.waitForRuns([running!.id]);
  expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled by alice' });
  expect(forge.deployed.map((job) => job.sha)).toEqual([SHA('b'), SHA('c')]);
});

/** One engine on memory state with the forge's repositories `app` (main, release/.*) and `slow`. */
async function engine(forge: ScriptedForge, plugin = forge.plugin) {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      repositories: [
        forgeRepository('app', { monitor: { branches: ['main', 'release/.*'] } }),
        forgeRepository('slow', { deploy: { executor: 'scripted', timeout: 0.05 } }),
      ],
    },
    plugins: [plugin],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

describe('the scripted forge', () => {
  it('answers the heads set per repository and branch, watched branches only; null deletes one', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    forge.set('app', 'release/1', SHA('b'));
    forge.set('app', 'feature/x', SHA('c'));
    forge.set('slow', 'main', SHA('d'));
    forge.set('app', 'release/1', null);
    const sentry = await engine(forge);
    const baselines = recordEvents(sentry, 'baseline');
    await sentry.pollOnce();
    expect(baselines.map(({ repository, heads }) => [repository, heads])).toEqual([
      ['app', [{ branch: 'main', sha: SHA('a') }]],
      ['slow', [{ branch: 'main', sha: SHA('d') }]],
    ]);
  });

  it('runs each job by the next script queued, else succeeds at once, and records every job in order', async () => {
    const forge = scriptedForge();
    const sentry = await engine(forge);
    await sentry.pollOnce();
    forge.next(async () => endedNow('failed', 'scripted failure'));
    forge.set('app', 'main', SHA('a'));
    forge.set('app', 'release/1', SHA('b'));
    const finished = recordEvents(sentry, 'job:finish');
    await sentry.waitForRuns((await sentry.pollOnce({ repositories: ['app'] })).runs.map((run) => run.id));
    expect(finished.map(({ result }) => [result.status, result.error])).toEqual([
      ['failed', 'scripted failure'],
      ['succeeded', null],
    ]);
    expect(forge.deployed).toEqual([
      { repository: 'app', branch: 'main', sha: SHA('a'), previousSha: null, trigger: 'poll' },
      { repository: 'app', branch: 'release/1', sha: SHA('b'), previousSha: null, trigger: 'poll' },
    ]);
  });

  it('holds a job until release(), or until its signal aborts: cancelled or timed out, the reason kept', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    forge.set('slow', 'main', SHA('b'));
    const sentry = await engine(forge);
    await sentry.pollOnce();
    const released = forge.hold();
    const started = nextEvent(sentry, 'job:start');
    const [run] = await sentry.trigger({ repositories: ['app'] });
    await started;
    released.release();
    expect((await sentry.waitForRuns([run!.id]))[0]!.status).toBe('succeeded');

    forge.hold();
    const running = nextEvent(sentry, 'job:start');
    const [cancelled] = await sentry.trigger({ repositories: ['app'] });
    await running;
    await sentry.cancel(cancelled!.id, { by: 'alice' });
    expect((await sentry.waitForRuns([cancelled!.id]))[0]!.jobs[0]).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by alice',
    });

    forge.hold();
    const [timed] = await sentry.trigger({ repositories: ['slow'] });
    expect((await sentry.waitForRuns([timed!.id]))[0]!.jobs[0]!.status).toBe('timed_out');
    expect(forge.reasons).toEqual([
      expect.any(RunCancelledError),
      expect.objectContaining({ name: 'TimeoutError' }),
    ]);
  });

  it('shared by replicas: each job is recorded with the label of the plugin that ran it, and prints it', async () => {
    const forge = scriptedForge({
      print: (job, replica) => `deploying ${job.sha} on ${replica ?? 'the one'}\n`,
    });
    forge.set('app', 'main', SHA('a'));
    const labelled = await engine(forge, forge.pluginAs('b'));
    const plain = await engine(forge);
    const outputs = [recordEvents(labelled, 'job:output'), recordEvents(plain, 'job:output')];
    for (const sentry of [labelled, plain]) {
      await sentry.pollOnce();
      await sentry.waitForRuns((await sentry.trigger({ repositories: ['app'] })).map((run) => run.id));
    }
    expect(forge.deployed.map((job) => job.replica)).toEqual(['b', undefined]);
    expect(Object.keys(forge.deployed[1]!)).not.toContain('replica');
    expect(outputs.map((events) => events.map(({ text }) => text).join(''))).toEqual([
      `deploying ${SHA('a')} on b\n`,
      `deploying ${SHA('a')} on the one\n`,
    ]);
  });
});

describe('forgeRepository', () => {
  it('polls the forge and deploys with its executor; merges monitor fields, replaces deploy', () => {
    expect(forgeRepository('web')).toEqual({
      name: 'web',
      monitor: { repo_url: 'https://forge.invalid/web.git', repo_type: 'memory-forge', branches: ['main'] },
      deploy: { executor: 'scripted' },
    });
    expect(
      forgeRepository('web', {
        group: 'site',
        monitor: { branches: ['.*'], paths: ['src/**'] },
        deploy: { executor: 'shell', commands: ['true'] },
      }),
    ).toEqual({
      name: 'web',
      group: 'site',
      monitor: {
        repo_url: 'https://forge.invalid/web.git',
        repo_type: 'memory-forge',
        branches: ['.*'],
        paths: ['src/**'],
      },
      deploy: { executor: 'shell', commands: ['true'] },
    });
  });
});

describe('nextEvent', () => {
  it('resolves with the first payload its filter accepts', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    forge.set('app', 'release/1', SHA('b'));
    const sentry = await engine(forge);
    await sentry.pollOnce();
    forge.set('app', 'main', SHA('c'));
    forge.set('app', 'release/1', SHA('d'));
    const release = nextEvent(sentry, 'job:start', ({ job }) => job.branch === 'release/1');
    await sentry.pollOnce({ repositories: ['app'] });
    expect((await release).job).toMatchObject({ branch: 'release/1', sha: SHA('d') });
  });
});
