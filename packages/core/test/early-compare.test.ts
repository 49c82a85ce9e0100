import { promiseGate } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type ChangedFiles, createSentry, definePlugin } from '../src/index.js';
import { endedNow } from '../src/testing/index.js';
import { memoryProvider } from './memory-plugin.js';

const SHA = (digit: string) => digit.repeat(40);

interface Comparison {
  from: string;
  to: string;
  /** Branch reads answered when the comparison was asked for (the baseline poll's is the first). */
  readsAnswered: number;
  signal: AbortSignal;
}

/**
 * A forge in memory whose branch reads can be held (the answer is what the forge holds when the
 * read started), and whose comparisons are recorded with the moment they were asked for.
 */
function gatedForge() {
  const heads = new Map<string, string>();
  const messages = new Map<string, string>();
  const comparisons: Comparison[] = [];
  const deployed: string[] = [];
  let hold: ReturnType<typeof promiseGate> | null = null;
  let readsAnswered = 0;
  const plugin = definePlugin({
    name: 'scripted',
    providers: [
      memoryProvider(
        async (target) => {
          const sha = heads.get(target.repository);
          const gate = hold;
          hold = null;
          if (gate) await gate.promise;
          readsAnswered += 1;
          return { heads: sha ? [{ branch: 'main', sha }] : [] };
        },
        'scripted',
        async (_target, from, to, { signal }): Promise<ChangedFiles> => {
          comparisons.push({ from, to, readsAnswered, signal });
          return { files: ['app.txt'], commits: [{ sha: to, message: messages.get(to) ?? 'change' }] };
        },
      ),
    ],
    executors: [
      {
        id: 'record',
        capabilities: { reattach: false },
        async execute(job) {
          deployed.push(job.sha);
          return endedNow('succeeded');
        },
      },
    ],
  });
  return {
    plugin,
    heads,
    messages,
    comparisons,
    deployed,
    /** The next branch read answers only when the returned gate opens. */
    holdNextRead() {
      hold = promiseGate();
      return hold;
    },
  };
}

async function engine(forge: ReturnType<typeof gatedForge>) {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      repositories: [
        {
          name: 'app',
          monitor: { repo_url: 'https://forge.invalid/app.git', repo_type: 'scripted', branches: ['main'] },
          deploy: { executor: 'record' },
        },
      ],
    },
    plugins: [forge.plugin],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  await sentry.pollOnce();
  return sentry;
}

describe("a webhook's push is compared beside the poll that verifies it", () => {
  it('asks for the comparison while the branch read is still on its way, and uses it', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge);

    forge.heads.set('app', SHA('b'));
    const read = forge.holdNextRead();
    const polling = sentry.pollOnce({
      repositories: ['app'],
      trigger: 'webhook',
      pushed: { branch: 'main', after: SHA('b') },
    });
    onTestFinished(() => read.open());
    // The webhook's read is held: the comparison was asked for before it answered.
    await expect.poll(() => forge.comparisons.length).toBe(1);
    expect(forge.comparisons[0]).toMatchObject({ from: SHA('a'), to: SHA('b'), readsAnswered: 1 });
    read.open();
    const result = await polling;

    await sentry.waitForRuns(result.runs.map((run) => run.id));
    expect(forge.deployed).toEqual([SHA('b')]);
    // One comparison in all: the early one was used, not asked for again.
    expect(forge.comparisons).toHaveLength(1);
    expect(forge.comparisons[0]!.signal.aborted).toBe(false);
  });

  it('applies skip markers from the early comparison', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge);
    const changes: Array<{ after: string | null; skipped?: string }> = [];
    sentry.on('change', (change) => changes.push(change));

    forge.heads.set('app', SHA('b'));
    forge.messages.set(SHA('b'), 'docs only [skip deploy]');
    const result = await sentry.pollOnce({
      repositories: ['app'],
      trigger: 'webhook',
      pushed: { branch: 'main', after: SHA('b') },
    });

    expect(result.runs).toEqual([]);
    expect(changes).toEqual([
      expect.objectContaining({ after: SHA('b'), skipped: 'the newest commit carries [skip deploy]' }),
    ]);
    expect(forge.comparisons).toHaveLength(1);
  });

  it('drops the early comparison when the forge shows another head, and compares what it shows', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge);

    // The webhook announced b, but the branch moved on to c before the poll read it.
    forge.heads.set('app', SHA('c'));
    const result = await sentry.pollOnce({
      repositories: ['app'],
      trigger: 'webhook',
      pushed: { branch: 'main', after: SHA('b') },
    });
    await sentry.waitForRuns(result.runs.map((run) => run.id));

    expect(forge.deployed).toEqual([SHA('c')]);
    expect(forge.comparisons.map(({ from, to }) => ({ from, to }))).toEqual([
      { from: SHA('a'), to: SHA('b') },
      { from: SHA('a'), to: SHA('c') },
    ]);
    // The second after the webhook's read had answered with c.
    expect(forge.comparisons[1]!.readsAnswered).toBe(2);
    // The comparison no change took was ended.
    expect(forge.comparisons[0]!.signal.aborted).toBe(true);
  });

  it('compares nothing early when the announced head is already the stored one', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge);

    const result = await sentry.pollOnce({
      repositories: ['app'],
      trigger: 'webhook',
      pushed: { branch: 'main', after: SHA('a') },
    });

    expect(result.runs).toEqual([]);
    expect(forge.comparisons).toEqual([]);
  });

  it('without an announced push, compares only after the branch read answered', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge);

    forge.heads.set('app', SHA('b'));
    const result = await sentry.pollOnce({ repositories: ['app'], trigger: 'webhook' });
    await sentry.waitForRuns(result.runs.map((run) => run.id));

    expect(forge.deployed).toEqual([SHA('b')]);
    expect(forge.comparisons.map(({ to, readsAnswered }) => ({ to, readsAnswered }))).toEqual([
      { to: SHA('b'), readsAnswered: 2 },
    ]);
  });
});
