import type { DetectionInput, DetectionResult } from '../../interfaces/state-store.js';
import {
  type HeadChange,
  type JobRecord,
  type JobSpec,
  type RunRecord,
  type RunSpec,
  SEPARATE_TRIGGERS,
} from '../../types.js';
import { invalidRunError } from './errors.js';

/**
 * What `planDetection` needs from storage, read inside the transaction that will apply the plan
 * (so nothing changes in between).
 */
export interface DetectionContext {
  /**
   * The queued runs of `input.run.unit`, in queue order (oldest first: `createdAt`, then the
   * order the store inserted them); `[]` without `input.run`. Runs of other units or statuses
   * are ignored, so a store may hand over more.
   */
  queuedRuns: readonly RunRecord[];
  /** True when the store already holds a run with `input.run.id`. */
  runIdInUse: boolean;
  /** Of `input.run`'s job ids, those the store already holds (in any run). */
  jobIdsInUse: readonly string[];
  /** When the detection is recorded (ISO 8601): the heads' `updatedAt`. */
  now: string;
}

/**
 * One head to write. `put` inserts or moves it; `deployedSha`, when present, is set, and when
 * absent the stored value stays (null for a new head). `delete` removes it (an unknown head is
 * no error).
 */
export type HeadWrite =
  | { op: 'put'; repository: string; branch: string; sha: string; updatedAt: string; deployedSha?: string }
  | { op: 'delete'; repository: string; branch: string };

/** The writes that queue a run, in order: create the run (unless merging), move SHAs, add jobs. */
export interface RunWrite {
  /** A new run to insert, without jobs; null when merging into the stored queued run `runId`. */
  create: Omit<RunRecord, 'jobs'> | null;
  /** The run the jobs belong to. */
  runId: string;
  /** Jobs already stored in `runId` that take a newer SHA (nothing else of them changes). */
  shaUpdates: Array<{ jobId: string; sha: string }>;
  /** Jobs to insert into `runId`, complete. */
  newJobs: JobRecord[];
}

/** Everything `recordDetection` writes, in one transaction, and what it answers. */
export interface DetectionPlan {
  /** Repositories that count as seen from now on (one already seen stays as it is). */
  seenRepositories: string[];
  /** Head writes, in order. */
  heads: HeadWrite[];
  /** Null when the detection deploys nothing. */
  run: RunWrite | null;
  /** The answer of `recordDetection`: the run as stored once the plan is applied. */
  result: DetectionResult;
}

/**
 * The rules of recording a detection, decided without storage: first sightings set the last
 * deployed SHA; a run merges into the unit's newest queued run (so the newest SHAs sit in the
 * run that deploys last) where a job for the same repository and branch takes the newer SHA,
 * keeping its id, position and `previousSha`, and other jobs are appended; a run without jobs or
 * reusing an id is refused with `STATE_INVALID_RUN` before anything is written.
 */
export function planDetection(input: DetectionInput, context: DetectionContext): DetectionPlan {
  const run = input.run ? planRunWrite(input.run, context) : null;
  return {
    seenRepositories: [...new Set(input.repositories)],
    heads: input.changes.map((change) => headWrite(change, context.now)),
    run: run?.write ?? null,
    result: { run: run?.result ?? null, coalesced: run?.write.create === null },
  };
}

function headWrite(change: HeadChange, now: string): HeadWrite {
  const { repository, branch } = change;
  if (change.after === null) return { op: 'delete', repository, branch };
  const put: HeadWrite = { op: 'put', repository, branch, sha: change.after, updatedAt: now };
  // A first sighting is taken as deployed; a later move keeps what was deployed until a job succeeds.
  if (change.kind === 'baseline') put.deployedSha = change.after;
  return put;
}

function planRunWrite(spec: RunSpec, context: DetectionContext): { write: RunWrite; result: RunRecord } {
  if (spec.jobs.length === 0) throw invalidRunError(spec.id, 'it has no jobs');
  const target = mergeTarget(spec, context.queuedRuns);
  if (!target && context.runIdInUse)
    throw invalidRunError(spec.id, `a run with id "${spec.id}" already exists`);
  const result: RunRecord = target ? structuredClone(target) : newRun(spec);
  const write: RunWrite = {
    create: target ? null : withoutJobs(result),
    runId: result.id,
    shaUpdates: [],
    newJobs: [],
  };
  const idsInUse = new Set(context.jobIdsInUse);
  for (const job of spec.jobs) {
    const same = result.jobs.find(
      (candidate) => candidate.repository === job.repository && candidate.branch === job.branch,
    );
    if (same) {
      // Keeps its id and previousSha: the deploy still goes from what was last deployed.
      same.sha = job.sha;
      const stored = write.newJobs.find((added) => added.id === same.id);
      if (stored) stored.sha = job.sha;
      else write.shaUpdates.push({ jobId: same.id, sha: job.sha });
      continue;
    }
    if (idsInUse.has(job.id)) throw invalidRunError(spec.id, `job id "${job.id}" is already in use`);
    idsInUse.add(job.id);
    const added = newJob(result.id, nextPosition(result.jobs), job);
    result.jobs.push(added);
    write.newJobs.push({ ...added });
  }
  write.shaUpdates = lastShaPerJob(write.shaUpdates);
  return { write, result };
}

/**
 * The newest queued run of the unit: the one that deploys last, so merging never moves a SHA
 * backwards. A re-run or a deploy of a chosen commit (`SEPARATE_TRIGGERS`) is no target and
 * takes none: it deploys exactly what it was asked for, and a change after it queues a new run.
 */
function mergeTarget(spec: RunSpec, queuedRuns: readonly RunRecord[]): RunRecord | undefined {
  if (SEPARATE_TRIGGERS.includes(spec.trigger)) return undefined;
  const newest = queuedRuns.filter((run) => run.unit === spec.unit && run.status === 'queued').at(-1);
  return newest && !SEPARATE_TRIGGERS.includes(newest.trigger) ? newest : undefined;
}

function lastShaPerJob(updates: RunWrite['shaUpdates']): RunWrite['shaUpdates'] {
  return [...new Map(updates.map((update) => [update.jobId, update])).values()];
}

function newRun(spec: RunSpec): RunRecord {
  return {
    id: spec.id,
    unit: spec.unit,
    trigger: spec.trigger,
    status: 'queued',
    createdAt: spec.createdAt,
    startedAt: null,
    finishedAt: null,
    error: null,
    attempts: 0,
    requestedBy: spec.requestedBy ?? null,
    cancelRequest: null,
    jobs: [],
  };
}

function withoutJobs(run: RunRecord): Omit<RunRecord, 'jobs'> {
  const { jobs: _jobs, ...rest } = run;
  return rest;
}

function newJob(runId: string, position: number, job: JobSpec): JobRecord {
  return {
    id: job.id,
    runId,
    position,
    repository: job.repository,
    branch: job.branch,
    sha: job.sha,
    previousSha: job.previousSha,
    status: 'queued',
    exitCode: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    output: '',
    error: null,
    attempt: 0,
    handle: null,
  };
}

function nextPosition(jobs: readonly JobRecord[]): number {
  return jobs.reduce((max, job) => Math.max(max, job.position + 1), 0);
}
