import { describe, expect, it } from 'vitest';
import { INTERRUPTED_BY_CRASH, planRecovery, type RecoveryPlan } from '../src/state/rules/index.js';
import { at } from '../src/testing/state-store/fixtures.js';
import type { JobRecord, JobStatus, RunRecord, RunStatus } from '../src/types.js';

const NOW = at(30);

function jobOf(id: string, status: JobStatus, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    runId: 'r',
    position: 0,
    repository: id,
    branch: 'main',
    sha: 'a'.repeat(40),
    previousSha: null,
    status,
    exitCode: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    output: '',
    error: null,
    attempt: 0,
    handle: null,
    ...overrides,
  };
}

function runOf(
  id: string,
  status: RunStatus,
  jobs: JobRecord[],
  overrides: Partial<RunRecord> = {},
): RunRecord {
  return {
    id,
    unit: `group:${id}`,
    trigger: 'poll',
    status,
    createdAt: at(1),
    startedAt: status === 'queued' ? null : at(2),
    finishedAt: null,
    error: null,
    attempts: 0,
    requestedBy: null,
    cancelRequest: null,
    jobs: jobs.map((job, position) => ({ ...job, runId: id, position })),
    ...overrides,
  };
}

/** A crash mid-run: r-old running with one job done, one running, one waiting; r-new queued. */
function crashScene(): RunRecord[] {
  return [
    runOf('r-old', 'running', [
      jobOf('done', 'succeeded', {
        exitCode: 0,
        startedAt: at(3),
        finishedAt: at(4),
        durationMs: 1000,
        output: 'ok\n',
        attempt: 1,
        handle: { executor: 'shell', pgid: 10 },
      }),
      jobOf('busy', 'running', {
        startedAt: at(4),
        output: 'half',
        attempt: 1,
        handle: { executor: 'shell', pgid: 11, startTime: at(4) },
      }),
      jobOf('wait', 'queued'),
    ]),
    runOf('r-new', 'queued', [jobOf('later', 'queued')], { createdAt: at(2) }),
  ];
}

/** The runs after applying the plan's patches to `before`: they must be what the plan answers. */
function applied(before: RunRecord[], plan: RecoveryPlan): RunRecord[] {
  const runs = structuredClone(before);
  for (const { id, patch } of plan.runs) Object.assign(runs.find((run) => run.id === id)!, patch);
  for (const { id, patch } of plan.jobs) {
    const job = runs.flatMap((run) => run.jobs).find((candidate) => candidate.id === id)!;
    Object.assign(job, patch);
  }
  return runs.filter((run) => plan.runs.some((patched) => patched.id === run.id));
}

function plan(runs: RunRecord[], policy: 'requeue' | 'fail'): RecoveryPlan {
  const result = planRecovery(runs, policy, NOW);
  expect([...result.result.requeued, ...result.result.failed]).toEqual(applied(runs, result));
  return result;
}

describe('planRecovery: requeue', () => {
  it('queues running and queued runs again, in the order given', () => {
    const result = plan(crashScene(), 'requeue');
    expect(result.result.failed).toEqual([]);
    expect(result.result.requeued.map((run) => [run.id, run.status, run.startedAt, run.finishedAt])).toEqual([
      ['r-old', 'queued', null, null],
      ['r-new', 'queued', null, null],
    ]);
  });

  it('counts an interruption only for a run that had started', () => {
    const [old, fresh] = plan(crashScene(), 'requeue').result.requeued;
    expect(old?.attempts).toBe(1);
    expect(fresh?.attempts).toBe(0);
    expect(
      plan([runOf('again', 'running', [], { attempts: 1 })], 'requeue').result.requeued[0]?.attempts,
    ).toBe(2);
  });

  it('counts no new interruption when recovering runs that are already queued again', () => {
    const once = plan(crashScene(), 'requeue').result.requeued;
    expect(plan(once, 'requeue').result.requeued.map((run) => [run.id, run.attempts])).toEqual([
      ['r-old', 1],
      ['r-new', 0],
    ]);
  });

  it('keeps finished jobs’ results; a job left running is queued again with its attempt and handle', () => {
    const [old] = plan(crashScene(), 'requeue').result.requeued;
    expect(old?.jobs[0]).toEqual(crashScene()[0]!.jobs[0]);
    expect(old?.jobs[1]).toMatchObject({
      id: 'busy',
      status: 'queued',
      startedAt: null,
      output: 'half',
      attempt: 1,
      handle: { executor: 'shell', pgid: 11, startTime: at(4) },
    });
    expect(old?.jobs[2]).toEqual(crashScene()[0]!.jobs[2]);
  });

  it('patches only what changes: the run, and the jobs that were running', () => {
    const result = plan(crashScene(), 'requeue');
    expect(result.runs).toEqual([
      { id: 'r-old', patch: { status: 'queued', startedAt: null, attempts: 1 } },
      { id: 'r-new', patch: { status: 'queued', startedAt: null } },
    ]);
    expect(result.jobs).toEqual([{ id: 'busy', patch: { status: 'queued', startedAt: null } }]);
  });
});

describe('planRecovery: fail', () => {
  it('fails interrupted runs and cancels their unfinished jobs; finished jobs keep their result', () => {
    const result = plan(crashScene(), 'fail');
    expect(result.result.requeued).toEqual([]);
    const [old, fresh] = result.result.failed;
    expect(old).toMatchObject({
      status: 'failed',
      error: INTERRUPTED_BY_CRASH,
      finishedAt: NOW,
      attempts: 0,
    });
    expect(old?.jobs[0]).toEqual(crashScene()[0]!.jobs[0]);
    for (const cancelled of old?.jobs.slice(1) ?? []) {
      expect(cancelled).toMatchObject({ status: 'cancelled', error: INTERRUPTED_BY_CRASH, finishedAt: NOW });
    }
    expect(fresh).toMatchObject({ id: 'r-new', status: 'failed', finishedAt: NOW });
    expect(fresh?.jobs[0]).toMatchObject({ status: 'cancelled' });
  });

  it('says `interrupted by a crash`', () => {
    expect(INTERRUPTED_BY_CRASH).toBe('interrupted by a crash');
  });
});

describe('planRecovery: what it leaves alone', () => {
  it('plans nothing for nothing', () => {
    expect(planRecovery([], 'requeue', NOW)).toEqual({
      runs: [],
      jobs: [],
      result: { requeued: [], failed: [] },
    });
  });

  it('ignores finished runs a store handed over', () => {
    const finished = ['succeeded', 'failed', 'timed_out', 'cancelled'] as const;
    const runs = finished.map((status) => runOf(status, status, [jobOf(`${status}-job`, 'succeeded')]));
    for (const policy of ['requeue', 'fail'] as const) {
      expect(planRecovery(runs, policy, NOW)).toEqual({
        runs: [],
        jobs: [],
        result: { requeued: [], failed: [] },
      });
    }
  });

  it('changes none of the runs it was given', () => {
    const runs = crashScene();
    planRecovery(runs, 'requeue', NOW);
    planRecovery(runs, 'fail', NOW);
    expect(runs).toEqual(crashScene());
  });
});
