import { createRedactor, type RunRecord } from '@sentry-git/core';
import { createEventBus } from '@sentry-git/core/internal';
import { describe, expect, it } from 'vitest';
import { tallyRuns } from '../src/run-tally.js';

function run(status: RunRecord['status']): RunRecord {
  return { id: `run-${status}`, status } as RunRecord;
}

describe('tallyRuns (what watch --once reports)', () => {
  it('counts finished runs and the ones that did not succeed', () => {
    const bus = createEventBus(createRedactor([]));
    const tally = tallyRuns(bus);
    for (const status of ['succeeded', 'failed', 'succeeded', 'timed_out', 'cancelled'] as const)
      bus.emit('run:finish', { run: run(status) });
    expect(tally).toEqual({ finished: 5, failed: 3 });
  });

  it('keeps only the counts, not the runs, however many finish', () => {
    const bus = createEventBus(createRedactor([]));
    const tally = tallyRuns(bus);
    for (let i = 0; i < 1000; i += 1) bus.emit('run:finish', { run: run('succeeded') });
    // Two numbers, whatever ran: a long watch holds no finished run.
    expect(Object.values(tally)).toEqual([1000, 0]);
  });
});
