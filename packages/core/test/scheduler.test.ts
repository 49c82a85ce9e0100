import { promiseGate } from '@sentry-git/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import type { RepositoryConfig } from '../src/config/schema.js';
import { createScheduler } from '../src/engine/scheduler.js';

function config(names: string[], interval = 60) {
  return resolveConfig(
    {
      polling_interval: interval,
      global: { jitter: 0 },
      state: { driver: 'memory' },
      repositories: names.map((name) => ({
        name,
        monitor: { repo_url: `https://forge.invalid/${name}.git`, repo_type: 'git', branches: ['main'] },
        deploy: { commands: ['true'] },
      })),
    },
    { env: {} },
  ).config;
}

/** A scheduler whose cycles record a success for every repository, held until `release`. */
function scheduled(names: string[]) {
  const cycles: string[][] = [];
  const gates: Array<ReturnType<typeof promiseGate>> = [];
  const scheduler = createScheduler({
    config: config(names),
    async onDue(due: RepositoryConfig[]) {
      cycles.push(due.map((repo) => repo.name));
      const gate = promiseGate();
      gates.push(gate);
      await gate.promise;
      for (const repo of due) scheduler.record(repo, null, Date.now(), {});
    },
    onError: (error) => {
      throw error;
    },
  });
  return { scheduler, cycles, gates };
}

describe('the scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands every repository due at start to one cycle, and waits for it before the next', async () => {
    const { scheduler, cycles, gates } = scheduled(['a', 'b']);
    scheduler.start();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(cycles).toEqual([['a', 'b']]);
    // Still polling: no timer is set, so nothing is handed over twice however long it takes.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(cycles).toHaveLength(1);
    gates[0]!.open();
    await vi.advanceTimersByTimeAsync(0);
    // Recorded at t+120 s: due again one interval (60 s) later, not before.
    await vi.advanceTimersByTimeAsync(59_000);
    expect(cycles).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(cycles).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    scheduler.stop();
  });

  it('reschedule() wakes the timer early for activity; stop() ends it for good', async () => {
    const { scheduler, cycles, gates } = scheduled(['a']);
    const repo = scheduler.health.get('a');
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    gates[0]!.open();
    await vi.advanceTimersByTimeAsync(0);
    // Without max_polling_interval an idle repository's interval does not stretch.
    expect(repo.nextDueAt).toBe(Date.now() + 60_000);
    repo.nextDueAt = Date.now() + 5_000;
    scheduler.reschedule();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(cycles).toHaveLength(2);
    gates[1]!.open();
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(cycles).toHaveLength(2);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(cycles).toHaveLength(2);
  });

  it('a failed poll backs off: the next one waits longer than the interval', async () => {
    const { scheduler } = scheduled(['a']);
    const [repo] = config(['a']).repositories;
    const ok = scheduler.record(repo!, null, Date.now(), {});
    const okDelay = ok.nextDueAt - Date.now();
    scheduler.record(repo!, 'boom', Date.now(), {});
    const failed = scheduler.record(repo!, 'boom', Date.now(), {});
    expect(failed.consecutiveFailures).toBe(2);
    expect(failed.nextDueAt - Date.now()).toBeGreaterThan(okDelay);
  });
});
