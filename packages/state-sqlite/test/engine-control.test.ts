import path from 'node:path';
import {
  abortMessage,
  createSentry,
  definePlugin,
  type JobResult,
  outcomeOfAbort,
  type Sentry,
  type SentryEventName,
  type SentryEvents,
} from '@sentry-git/core';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import sqlitePlugin from '../src/index.js';

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

/** Heads the test sets, and an executor that records what it deployed and holds a job while told to. */
function forge() {
  const heads = new Map<string, string>();
  const deployed: string[] = [];
  let holding = false;
  const plugin = definePlugin({
    name: 'engine-control',
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
          deployed.push(job.sha);
          output('stdout', `deploying ${job.sha}\n`);
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
    /** Jobs from now on run until their run is cancelled. */
    hold() {
      holding = true;
    },
  };
}

async function engine(file: string, test: ReturnType<typeof forge>): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'sqlite', path: file },
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
    plugins: [sqlitePlugin, test.plugin],
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

describe('the engine’s controls on SQLite', () => {
  it('a pause survives a new engine on the same file; resume deploys once, at the latest head', async () => {
    const file = path.join(await tempdir(), 'state.db');
    const test = forge();
    test.heads.set('main', SHA('a'));
    const first = await engine(file, test);
    await first.pollOnce();
    await first.pause({ repository: 'app' }, { by: 'erin', reason: 'freeze' });
    test.heads.set('main', SHA('b'));
    const [queued] = (await first.pollOnce()).runs;
    test.heads.set('main', SHA('c'));
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
    expect(test.deployed).toEqual([SHA('c')]);
  });

  it('another process on the file (the CLI without a server) follows the running job and cancels it', async () => {
    const file = path.join(await tempdir(), 'state.db');
    const test = forge();
    test.heads.set('main', SHA('a'));
    const watch = await engine(file, test);
    await watch.pollOnce();
    test.heads.set('main', SHA('b'));
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
