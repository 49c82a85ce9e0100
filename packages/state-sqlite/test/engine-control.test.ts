import path from 'node:path';
import { createSentry, type Sentry } from '@sentry-git/core';
import { forgeRepository, nextEvent, type ScriptedForge, scriptedForge } from '@sentry-git/core/testing';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import sqlitePlugin from '../src/index.js';

const SHA = (digit: string) => digit.repeat(40);

async function engine(file: string, forge: ScriptedForge): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'sqlite', path: file },
      repositories: [forgeRepository('app')],
    },
    plugins: [sqlitePlugin, forge.plugin],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** Heads the test sets; every job prints the SHA it deploys. */
const forge = () => scriptedForge({ print: (job) => `deploying ${job.sha}\n` });

describe('the engine’s controls on SQLite', () => {
  it('a pause survives a new engine on the same file; resume deploys once, at the latest head', async () => {
    const file = path.join(await tempdir(), 'state.db');
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const first = await engine(file, test);
    await first.pollOnce();
    await first.pause({ repository: 'app' }, { by: 'erin', reason: 'freeze' });
    test.set('app', 'main', SHA('b'));
    const [queued] = (await first.pollOnce()).runs;
    test.set('app', 'main', SHA('c'));
    await first.pollOnce();
    await first.close();

    const second = await engine(file, test);
    await second.start();
    await second.idle();
    expect(test.deployed).toEqual([]);
    expect(await second.pauses()).toEqual([
      expect.objectContaining({ unit: 'repository:app', by: 'erin', reason: 'freeze' }),
    ]);
    expect((await second.status())[0]!.paused).toMatchObject({ by: 'erin' });
    const finished = nextEvent(second, 'run:finish');
    const resumed = await second.resume({ repository: 'app' }, { by: 'erin' });
    expect(resumed.queued.map((run) => run.id)).toEqual([queued!.id]);
    expect((await finished).run).toMatchObject({ id: queued!.id, status: 'succeeded' });
    expect(test.deployed.map((job) => job.sha)).toEqual([SHA('c')]);
  });

  it('another process on the file (the CLI without a server) follows the running job and cancels it', async () => {
    const file = path.join(await tempdir(), 'state.db');
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const watch = await engine(file, test);
    await watch.pollOnce();
    test.set('app', 'main', SHA('b'));
    test.hold();
    const printed = nextEvent(watch, 'job:output');
    const [run] = (await watch.pollOnce()).runs;
    await printed;

    // What the CLI does beside a running `watch`: an engine on the same file, never started (no lock).
    const cli = await engine(file, forge());
    const follow = cli.followJob(run!.id, run!.jobs[0]!.id)[Symbol.asyncIterator]();
    // Read from the file: the watch saves a running job's output about every second.
    expect(await follow.next()).toEqual({ done: false, value: `deploying ${SHA('b')}\n` });
    const finished = nextEvent(watch, 'run:finish');
    const cancelled = await cli.cancel(run!.id, { by: 'carol@laptop', reason: 'oops' });
    expect(cancelled.outcome).toBe('requested');
    expect((await finished).run).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by carol@laptop: oops',
    });
    expect(await follow.next()).toEqual({ done: true, value: undefined });
  });
});
