import { promiseGate } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createDetectionOrder } from '../src/engine/detection-order.js';
import { createSentry, definePlugin, type JobResult, type RunRecord } from '../src/index.js';
import { endedNow } from '../src/testing/index.js';
import { memoryProvider } from './memory-plugin.js';

const SHA = (digit: string) => digit.repeat(40);

/**
 * A forge in memory: heads per repository, and polls that can be held at the point where the
 * provider has read the forge but not yet answered (the answer is what the forge held then).
 */
function gatedForge() {
  const heads = new Map<string, string>();
  const holds = new Map<string, Array<ReturnType<typeof promiseGate>>>();
  const deployed: string[] = [];
  const reads: string[] = [];
  const urgency: boolean[] = [];
  const plugin = definePlugin({
    name: 'scripted',
    providers: [
      memoryProvider(async (target, options) => {
        urgency.push(options.urgent === true);
        const sha = heads.get(target.repository);
        reads.push(`${target.repository}@${sha}`);
        const gate = holds.get(target.repository)?.shift();
        if (gate) await gate.promise;
        return { heads: sha ? [{ branch: 'main', sha }] : [] };
      }, 'scripted'),
    ],
    executors: [
      {
        id: 'record',
        capabilities: { reattach: false },
        async execute(job): Promise<JobResult> {
          deployed.push(`${job.repository}@${job.sha}`);
          return endedNow('succeeded');
        },
      },
    ],
  });
  return {
    plugin,
    heads,
    deployed,
    reads,
    urgency,
    /** The next poll of `repository` answers only when the returned gate opens. */
    hold(repository: string) {
      const gate = promiseGate();
      holds.set(repository, [...(holds.get(repository) ?? []), gate]);
      return gate;
    },
  };
}

async function engine(forge: ReturnType<typeof gatedForge>, names: string[]) {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      repositories: names.map((name) => ({
        name,
        monitor: { repo_url: `https://forge.invalid/${name}.git`, repo_type: 'scripted', branches: ['main'] },
        deploy: { executor: 'record' },
      })),
    },
    plugins: [forge.plugin],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

async function settleRuns(sentry: Awaited<ReturnType<typeof engine>>, runs: RunRecord[]) {
  await sentry.waitForRuns(runs.map((run) => run.id));
  await sentry.idle();
}

describe('overlapping polls', () => {
  it('a webhook’s poll does not wait for a cycle that is still polling other repositories', async () => {
    const forge = gatedForge();
    forge.heads.set('fast', SHA('a'));
    forge.heads.set('slow', SHA('b'));
    const sentry = await engine(forge, ['fast', 'slow']);
    await sentry.pollOnce();

    forge.heads.set('fast', SHA('c'));
    const slow = forge.hold('slow');
    const cycle = sentry.pollOnce();
    const queued: string[] = [];
    sentry.on('run:queued', ({ run }) => queued.push(run.unit));
    // The cycle's own change in `fast` is recorded and queued before `slow` answers.
    await new Promise<void>((resolve) => sentry.once('run:queued', () => resolve()));
    expect(queued).toEqual(['repository:fast']);

    forge.heads.set('fast', SHA('d'));
    const routine = forge.urgency.length;
    const webhook = await sentry.pollOnce({ repositories: ['fast'], trigger: 'webhook' });
    expect(webhook.runs.map((run) => run.trigger)).toEqual(['webhook']);
    // The webhook's poll tells the provider it is urgent; the cycle's polls did not.
    expect(forge.urgency.slice(0, routine).every((urgent) => !urgent)).toBe(true);
    expect(forge.urgency.slice(routine)).toEqual([true]);
    expect(forge.reads.at(-1)).toBe(`fast@${SHA('d')}`);

    slow.open();
    const result = await cycle;
    await settleRuns(sentry, [...result.runs, ...webhook.runs]);
    expect(forge.deployed.sort()).toEqual([`fast@${SHA('c')}`, `fast@${SHA('d')}`]);
  });

  it('the same SHA seen by a held cycle and by a webhook deploys once', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge, ['app']);
    await sentry.pollOnce();

    forge.heads.set('app', SHA('b'));
    const held = forge.hold('app');
    const cycle = sentry.pollOnce();
    const webhook = await sentry.pollOnce({ repositories: ['app'], trigger: 'webhook' });
    held.open();
    const late = await cycle;
    await settleRuns(sentry, [...webhook.runs, ...late.runs]);

    expect(webhook.runs).toHaveLength(1);
    expect(late.runs).toEqual([]);
    expect(forge.deployed).toEqual([`app@${SHA('b')}`]);
  });

  it('a poll that read the forge before a newer one was recorded never moves the head back', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge, ['app']);
    await sentry.pollOnce();

    forge.heads.set('app', SHA('b'));
    const held = forge.hold('app');
    const cycle = sentry.pollOnce();
    forge.heads.set('app', SHA('c'));
    const webhook = await sentry.pollOnce({ repositories: ['app'], trigger: 'webhook' });
    held.open();
    const late = await cycle;
    await settleRuns(sentry, [...webhook.runs, ...late.runs]);

    expect(late.runs).toEqual([]);
    expect(forge.deployed).toEqual([`app@${SHA('c')}`]);
    const [status] = await sentry.status();
    expect(status?.heads.map((head) => head.sha)).toEqual([SHA('c')]);
  });

  it('a later poll that finishes after an earlier one compares again with what that one recorded', async () => {
    const forge = gatedForge();
    forge.heads.set('app', SHA('a'));
    const sentry = await engine(forge, ['app']);
    await sentry.pollOnce();

    forge.heads.set('app', SHA('b'));
    // The later poll reads `b` but answers last; the earlier one reads `b` too and records it.
    const first = forge.hold('app');
    const second = forge.hold('app');
    const earlier = sentry.pollOnce();
    const later = sentry.pollOnce({ repositories: ['app'], trigger: 'webhook' });
    first.open();
    const earlierResult = await earlier;
    forge.heads.set('app', SHA('c'));
    second.open();
    const laterResult = await later;
    await settleRuns(sentry, [...earlierResult.runs, ...laterResult.runs]);

    // One deploy of `b`: the later poll saw nothing newer than what the earlier one recorded.
    expect(earlierResult.runs).toHaveLength(1);
    expect(laterResult.runs).toEqual([]);
    expect(forge.deployed).toEqual([`app@${SHA('b')}`]);
  });
});

describe('detection order', () => {
  it('judges tickets by start order and by records they did not see', () => {
    const order = createDetectionOrder();
    const first = order.ticket('r');
    const second = order.ticket('r');
    expect(order.judge('r', second)).toBe('current');
    order.recorded('r', second, true);
    expect(order.judge('r', first)).toBe('stale');
    const third = order.ticket('r');
    expect(order.judge('r', third)).toBe('current');
    const fourth = order.ticket('r');
    order.recorded('r', third, true);
    expect(order.judge('r', fourth)).toBe('moved');
    // A poll that wrote nothing still overtakes older ones, but moves nobody's base.
    const fifth = order.ticket('r');
    const sixth = order.ticket('r');
    order.recorded('r', sixth, false);
    expect(order.judge('r', fifth)).toBe('stale');
    expect(order.judge('other', order.ticket('other'))).toBe('current');
  });
});
