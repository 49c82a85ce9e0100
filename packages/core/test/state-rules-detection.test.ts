import { describe, expect, it } from 'vitest';
import type { DetectionInput } from '../src/interfaces/state-store.js';
import { type DetectionContext, type DetectionPlan, planDetection } from '../src/state/rules/index.js';
import { at, change, job, sha, spec } from '../src/testing/state-store/fixtures.js';
import { type JobRecord, type RunRecord, type RunSpec, SEPARATE_TRIGGERS } from '../src/types.js';

const NOW = at(50);

function context(overrides: Partial<DetectionContext> = {}): DetectionContext {
  return { queuedRuns: [], runIdInUse: false, jobIdsInUse: [], now: NOW, ...overrides };
}

/** A stored run as the store would hand it to the rules: queued, with queued jobs. */
function stored(
  runSpec: RunSpec,
  overrides: Partial<RunRecord> = {},
  jobOverrides: Partial<JobRecord> = {},
): RunRecord {
  return {
    id: runSpec.id,
    unit: runSpec.unit,
    trigger: runSpec.trigger,
    status: 'queued',
    createdAt: runSpec.createdAt,
    startedAt: null,
    finishedAt: null,
    error: null,
    attempts: 0,
    requestedBy: runSpec.requestedBy ?? null,
    cancelRequest: null,
    jobs: runSpec.jobs.map((j, position) => ({
      ...j,
      runId: runSpec.id,
      position,
      status: 'queued',
      exitCode: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      output: '',
      error: null,
      attempt: 0,
      handle: null,
      ...jobOverrides,
    })),
    ...overrides,
  };
}

/** What a store holds after writing the plan's run onto `before`: it must be the plan's answer. */
function applied(before: readonly RunRecord[], plan: DetectionPlan): RunRecord | null {
  if (!plan.run) return null;
  const { create, runId, shaUpdates, newJobs } = plan.run;
  const run = create
    ? { ...structuredClone(create), jobs: [] }
    : structuredClone(before.find((r) => r.id === runId)!);
  for (const update of shaUpdates) run.jobs.find((j) => j.id === update.jobId)!.sha = update.sha;
  run.jobs.push(...structuredClone(newJobs));
  return run;
}

function plan(input: DetectionInput, ctx: DetectionContext = context()): DetectionPlan {
  const result = planDetection(input, ctx);
  // Every plan is self-consistent: its writes lead to the run it answers.
  expect(applied(ctx.queuedRuns, result)).toEqual(result.result.run);
  return result;
}

describe('planDetection: heads and first sightings', () => {
  it('marks polled repositories seen (once each) and writes no run without one', () => {
    const result = plan({ repositories: ['api', 'empty', 'api'], changes: [] });
    expect(result).toEqual({
      seenRepositories: ['api', 'empty'],
      heads: [],
      run: null,
      result: { run: null, coalesced: false },
    });
  });

  it('takes a baseline as deployed, keeps the deployed SHA on moves and creations, deletes a removed head', () => {
    const result = plan({
      repositories: ['api'],
      changes: [
        { repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' },
        change('api', 'dev', 1, 2),
        change('api', 'feature', null, 3),
        change('api', 'gone', 4, null),
      ],
    });
    expect(result.heads).toEqual([
      { op: 'put', repository: 'api', branch: 'main', sha: sha(1), updatedAt: NOW, deployedSha: sha(1) },
      { op: 'put', repository: 'api', branch: 'dev', sha: sha(2), updatedAt: NOW },
      { op: 'put', repository: 'api', branch: 'feature', sha: sha(3), updatedAt: NOW },
      { op: 'delete', repository: 'api', branch: 'gone' },
    ]);
  });

  it('keeps a skipped change a head write like any other', () => {
    const skipped = { ...change('api', 'main', 1, 2), skipped: 'path filters' };
    expect(plan({ repositories: [], changes: [skipped] }).heads).toEqual([
      { op: 'put', repository: 'api', branch: 'main', sha: sha(2), updatedAt: NOW },
    ]);
  });
});

describe('planDetection: a new run', () => {
  it('creates a queued run with queued jobs in order, never started', () => {
    const runSpec = spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-2', 'web', 'main', 3)], {
      createdAt: at(5),
      trigger: 'manual',
    });
    const result = plan({ repositories: [], changes: [], run: runSpec });
    const expected = stored(runSpec);
    expect(result.result).toEqual({ run: expected, coalesced: false });
    expect(result.run).toEqual({
      create: { ...expected, jobs: undefined },
      runId: 'run-1',
      shaUpdates: [],
      newJobs: expected.jobs,
    });
    expect(result.run?.create).not.toHaveProperty('jobs');
  });

  it('does not merge into a run that started or finished, nor into another unit’s', () => {
    const started = stored(spec('run-1', [job('job-1', 'api', 'main', 2)]), { status: 'running' });
    const done = stored(spec('run-0', [job('job-0', 'api', 'main', 1)]), { status: 'succeeded' });
    const other = stored(spec('run-x', [job('job-x', 'api', 'main', 1)], { unit: 'repository:api' }));
    const result = plan(
      { repositories: [], changes: [], run: spec('run-2', [job('job-2', 'api', 'main', 3, 2)]) },
      context({ queuedRuns: [done, started, other] }),
    );
    expect(result.result.coalesced).toBe(false);
    expect(result.result.run?.id).toBe('run-2');
    expect(result.run?.create).toMatchObject({ id: 'run-2' });
  });

  it('lets a later job for the same branch in one spec win, as one job', () => {
    const result = plan({
      repositories: [],
      changes: [],
      run: spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-1b', 'api', 'main', 3, 1)]),
    });
    expect(result.result.run?.jobs.map((j) => [j.id, j.sha, j.previousSha])).toEqual([
      ['job-1', sha(3), sha(1)],
    ]);
    expect(result.run?.newJobs.map((j) => [j.id, j.sha])).toEqual([['job-1', sha(3)]]);
  });
});

describe('planDetection: merging into the unit’s queued run', () => {
  const queued = stored(spec('run-1', [job('job-1', 'api', 'main', 2, 1)], { createdAt: at(1) }));

  it('keeps the queued run’s identity: same branch takes the newer SHA (id, position, previousSha kept), others are appended', () => {
    const result = plan(
      {
        repositories: [],
        changes: [],
        run: spec('run-2', [job('job-9', 'api', 'main', 3, 2), job('job-10', 'web', 'main', 9)], {
          createdAt: at(2),
          trigger: 'manual',
        }),
      },
      context({ queuedRuns: [queued] }),
    );
    expect(result.result.coalesced).toBe(true);
    expect(result.result.run).toMatchObject({ id: 'run-1', trigger: 'poll', createdAt: at(1), attempts: 0 });
    expect(result.result.run?.jobs.map((j) => [j.id, j.position, j.branch, j.sha, j.previousSha])).toEqual([
      ['job-1', 0, 'main', sha(3), sha(1)],
      ['job-10', 1, 'main', sha(9), null],
    ]);
    expect(result.run).toMatchObject({
      create: null,
      runId: 'run-1',
      shaUpdates: [{ jobId: 'job-1', sha: sha(3) }],
      newJobs: [{ id: 'job-10', runId: 'run-1', position: 1, status: 'queued', attempt: 0, handle: null }],
    });
  });

  it('keeps who asked for a new run, and leaves the queued run’s when merging', () => {
    const asked = spec('run-2', [job('job-2', 'web', 'main', 2)], {
      trigger: 'manual',
      requestedBy: 'alice',
    });
    expect(plan({ repositories: [], changes: [], run: asked }).result.run).toMatchObject({
      requestedBy: 'alice',
      cancelRequest: null,
    });
    const merged = plan({ repositories: [], changes: [], run: asked }, context({ queuedRuns: [queued] }));
    expect(merged.result).toMatchObject({ coalesced: true, run: { id: 'run-1', requestedBy: null } });
  });

  it.each(SEPARATE_TRIGGERS)(
    'never merges a %s run into the queued run, nor a change into one',
    (trigger) => {
      const separate = spec('run-2', [job('job-2', 'api', 'main', 1, 2)], { createdAt: at(2), trigger });
      const alone = plan({ repositories: [], changes: [], run: separate }, context({ queuedRuns: [queued] }));
      expect(alone.result).toMatchObject({ coalesced: false, run: { id: 'run-2', trigger } });
      expect(alone.run?.create).toMatchObject({ id: 'run-2' });

      // A change after it: a run of its own, not merged into it nor into the older queued run
      // (that one would deploy before it, and the re-run or deploy would then undo the change).
      const after = plan(
        { repositories: [], changes: [], run: spec('run-3', [job('job-3', 'api', 'main', 3, 2)]) },
        context({ queuedRuns: [queued, stored(separate)] }),
      );
      expect(after.result).toMatchObject({ coalesced: false, run: { id: 'run-3', trigger: 'poll' } });
      expect(SEPARATE_TRIGGERS).toEqual(['rerun', 'deploy']);
    },
  );

  it('appends after the highest position, even with gaps', () => {
    const gappy = stored(spec('run-1', [job('a', 'a', 'main', 1), job('b', 'b', 'main', 1)]));
    gappy.jobs[1]!.position = 7;
    const result = plan(
      { repositories: [], changes: [], run: spec('run-2', [job('c', 'c', 'main', 2)]) },
      context({ queuedRuns: [gappy] }),
    );
    expect(result.run?.newJobs.map((j) => j.position)).toEqual([8]);
  });

  it('merges into the newest queued run when the unit has several (after a recovery), leaving the older one alone', () => {
    const requeued = stored(spec('run-old', [job('job-o', 'api', 'main', 2, 1)], { createdAt: at(1) }), {
      attempts: 1,
    });
    const followUp = stored(spec('run-new', [job('job-n', 'api', 'main', 3, 2)], { createdAt: at(2) }));
    const result = plan(
      { repositories: [], changes: [], run: spec('run-3', [job('job-3', 'api', 'main', 4, 3)]) },
      context({ queuedRuns: [requeued, followUp] }),
    );
    expect(result.result.run?.id).toBe('run-new');
    expect(result.run?.shaUpdates).toEqual([{ jobId: 'job-n', sha: sha(4) }]);
  });

  it('writes one SHA update per job when a spec names a branch twice', () => {
    const result = plan(
      {
        repositories: [],
        changes: [],
        run: spec('run-2', [job('x', 'api', 'main', 3), job('y', 'api', 'main', 4)]),
      },
      context({ queuedRuns: [queued] }),
    );
    expect(result.run?.shaUpdates).toEqual([{ jobId: 'job-1', sha: sha(4) }]);
  });

  it('may reuse the spec’s run id when merging: the spec’s id is not written', () => {
    const result = plan(
      { repositories: [], changes: [], run: spec('run-1', [job('job-2', 'web', 'main', 1)]) },
      context({ queuedRuns: [queued], runIdInUse: true }),
    );
    expect(result.result).toMatchObject({ coalesced: true, run: { id: 'run-1' } });
  });

  it('merges a job whose id is in use when it is the same branch: only its SHA is written', () => {
    const result = plan(
      { repositories: [], changes: [], run: spec('run-2', [job('job-1', 'api', 'main', 5)]) },
      context({ queuedRuns: [queued], jobIdsInUse: ['job-1'] }),
    );
    expect(result.run).toMatchObject({ shaUpdates: [{ jobId: 'job-1', sha: sha(5) }], newJobs: [] });
  });

  it('changes neither its input nor the queued run it was given', () => {
    const before = structuredClone(queued);
    const input: DetectionInput = {
      repositories: ['api'],
      changes: [change('api', 'main', 2, 3)],
      run: spec('run-2', [job('job-2', 'api', 'main', 3, 2), job('job-3', 'web', 'main', 1)]),
    };
    const inputBefore = structuredClone(input);
    const result = plan(input, context({ queuedRuns: [queued] }));
    expect(queued).toEqual(before);
    expect(input).toEqual(inputBefore);
    result.result.run!.jobs[0]!.sha = 'tampered';
    expect(result.run?.newJobs[0]?.sha).toBe(sha(1));
  });
});

describe('planDetection: refusals (STATE_INVALID_RUN, before any write is planned)', () => {
  const refused = (input: DetectionInput, ctx: DetectionContext = context()) =>
    expect(() => planDetection(input, ctx)).toThrow(expect.objectContaining({ code: 'STATE_INVALID_RUN' }));

  it('refuses a run without jobs', () => {
    refused({ repositories: ['api'], changes: [change('api', 'main', 1, 2)], run: spec('run-1', []) });
  });

  it('refuses a job id already in use by another run', () => {
    refused(
      {
        repositories: [],
        changes: [],
        run: spec('run-2', [job('job-2', 'web', 'main', 5), job('job-1', 'web', 'dev', 6)]),
      },
      context({ jobIdsInUse: ['job-1'] }),
    );
  });

  it('refuses a job id in use when merging into another branch’s job', () => {
    const queued = stored(spec('run-1', [job('job-1', 'api', 'main', 2)]));
    refused(
      { repositories: [], changes: [], run: spec('run-2', [job('job-1', 'web', 'main', 1)]) },
      context({ queuedRuns: [queued], jobIdsInUse: ['job-1'] }),
    );
  });

  it('refuses the same job id twice in one run', () => {
    refused({
      repositories: [],
      changes: [],
      run: spec('run-1', [job('job-1', 'web', 'main', 5), job('job-1', 'web', 'dev', 6)]),
    });
  });

  it('refuses a new run whose id is already in use', () => {
    refused(
      { repositories: [], changes: [], run: spec('run-1', [job('job-1', 'web', 'main', 5)]) },
      context({ runIdInUse: true }),
    );
  });

  it('names the run and the reason', () => {
    expect(() => planDetection({ repositories: [], changes: [], run: spec('run-7', []) }, context())).toThrow(
      'Cannot record run "run-7": it has no jobs.',
    );
  });
});
