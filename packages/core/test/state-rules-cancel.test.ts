import { describe, expect, it } from 'vitest';
import { cancelledBy, planCancel } from '../src/state/rules/index.js';
import { at } from '../src/testing/state-store/fixtures.js';
import type { ActionStamp, JobRecord, JobStatus, RunRecord, RunStatus } from '../src/types.js';

const REQUEST: ActionStamp = { by: 'alice@laptop', at: at(30), reason: 'wrong commit' };

function jobOf(id: string, status: JobStatus): JobRecord {
  return {
    id,
    runId: 'run-1',
    position: 0,
    repository: id,
    branch: 'main',
    sha: 'a'.repeat(40),
    previousSha: null,
    status,
    exitCode: status === 'succeeded' ? 0 : null,
    startedAt: status === 'queued' ? null : at(2),
    finishedAt: status === 'succeeded' ? at(3) : null,
    durationMs: null,
    output: '',
    error: null,
    attempt: status === 'queued' ? 0 : 1,
    handle: null,
  };
}

function runOf(status: RunStatus, jobs: JobRecord[], overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    unit: 'repository:api',
    trigger: 'poll',
    status,
    createdAt: at(1),
    startedAt: status === 'queued' ? null : at(2),
    finishedAt: null,
    error: null,
    attempts: 0,
    requestedBy: null,
    cancelRequest: null,
    jobs,
    ...overrides,
  };
}

describe('cancelledBy', () => {
  it('names who cancelled, and why when they said', () => {
    expect(cancelledBy(REQUEST)).toBe('cancelled by alice@laptop: wrong commit');
    expect(cancelledBy({ ...REQUEST, reason: null })).toBe('cancelled by alice@laptop');
    expect(cancelledBy({ ...REQUEST, reason: '' })).toBe('cancelled by alice@laptop');
  });
});

describe('planCancel', () => {
  it('ends a queued run cancelled now, with its queued jobs; finished jobs keep their result', () => {
    // A run a crash re-queued: one job had succeeded before.
    const run = runOf(
      'queued',
      [jobOf('done', 'succeeded'), jobOf('wait', 'queued'), jobOf('next', 'queued')],
      {
        attempts: 1,
      },
    );
    const before = structuredClone(run);
    const error = 'cancelled by alice@laptop: wrong commit';
    expect(planCancel(run, REQUEST)).toEqual({
      outcome: 'cancelled',
      run: { status: 'cancelled', finishedAt: at(30), error, cancelRequest: REQUEST },
      jobs: [
        { id: 'wait', patch: { status: 'cancelled', finishedAt: at(30), error } },
        { id: 'next', patch: { status: 'cancelled', finishedAt: at(30), error } },
      ],
    });
    expect(run).toEqual(before);
  });

  it('only records the request on a running run: its engine stops the jobs', () => {
    const run = runOf('running', [jobOf('busy', 'running'), jobOf('wait', 'queued')]);
    expect(planCancel(run, REQUEST)).toEqual({
      outcome: 'requested',
      run: { cancelRequest: REQUEST },
      jobs: [],
    });
  });

  it('keeps the first request of a running run: a later one writes nothing', () => {
    const first: ActionStamp = { by: 'bob', at: at(20), reason: null };
    const run = runOf('running', [jobOf('busy', 'running')], { cancelRequest: first });
    expect(planCancel(run, REQUEST)).toEqual({ outcome: 'requested', run: null, jobs: [] });
  });

  it.each(['succeeded', 'failed', 'timed_out', 'cancelled'] as const)('leaves a %s run alone', (status) => {
    const run = runOf(status, [jobOf('done', 'succeeded')], { finishedAt: at(5) });
    expect(planCancel(run, REQUEST)).toEqual({ outcome: 'finished', run: null, jobs: [] });
  });
});
