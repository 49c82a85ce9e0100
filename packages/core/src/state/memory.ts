import type {
  DetectionInput,
  DetectionResult,
  JobPatch,
  PollFailure,
  PollHealth,
  RecoveryResult,
  RepositoryHeads,
  RunFilter,
  RunPatch,
  StateStore,
  StateStoreFactory,
} from '../interfaces/state-store.js';
import type { ActionStamp, HeadRecord, JobRecord, PauseRecord, RunRecord, UnitKey } from '../types.js';
import { memoryTransfer, type StoredRun } from './memory-transfer.js';
import {
  type DetectionPlan,
  noPollFailures,
  planCancel,
  planDetection,
  planPollFailure,
  planRecovery,
  type RunQuery,
  type RunUpdate,
  runQueryOf,
  stateClosedError,
  stateNotFoundError,
  UNFINISHED_STATUSES,
} from './rules/index.js';

/**
 * A state store that lives and dies with the process: for tests, dry runs and one-shot
 * `sentry-git run`. Storage only: core's rules plan every write, computed before anything
 * changes (its stand-in for a transaction). Everything handed out is a copy.
 */
export function createMemoryStateStore(): StateStore {
  const heads = new Map<string, Map<string, HeadRecord>>();
  /** Seen repository → when it was first seen. */
  const seen = new Map<string, string>();
  /** Repositories whose last polls failed; one that polls fine has no entry. */
  const pollHealth = new Map<string, PollHealth>();
  const runs = new Map<string, StoredRun>();
  /** job id → run id, to find a job for `updateJob` and to tell which ids are in use. */
  const jobRuns = new Map<string, string>();
  const seq = { next: 1 };
  const pauses = new Map<UnitKey, PauseRecord>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw stateClosedError('memory');
  }

  /** Runs matching `keep`, in queue order (oldest first). */
  function inQueueOrder(keep: (run: RunRecord) => boolean): RunRecord[] {
    return [...runs.values()]
      .filter((stored) => keep(stored.record))
      .sort(byQueueOrder)
      .map((stored) => stored.record);
  }

  function queuedRunsOf(unit: UnitKey): RunRecord[] {
    return inQueueOrder((run) => run.unit === unit && run.status === 'queued');
  }

  function findRun(id: string): RunRecord {
    const stored = runs.get(id);
    if (!stored) throw stateNotFoundError('run', id);
    return stored.record;
  }

  function findJob(id: string): JobRecord {
    const runId = jobRuns.get(id);
    const job = runId === undefined ? undefined : runs.get(runId)?.record.jobs.find((j) => j.id === id);
    if (!job) throw stateNotFoundError('job', id);
    return job;
  }

  function applyDetection(plan: DetectionPlan, now: string): void {
    for (const repository of plan.seenRepositories) if (!seen.has(repository)) seen.set(repository, now);
    for (const write of plan.heads) {
      let branches = heads.get(write.repository);
      if (write.op === 'delete') {
        branches?.delete(write.branch);
        continue;
      }
      if (!branches) {
        branches = new Map();
        heads.set(write.repository, branches);
      }
      const { op: _op, ...head } = write;
      branches.set(write.branch, {
        ...head,
        deployedSha: write.deployedSha ?? branches.get(write.branch)?.deployedSha ?? null,
      });
    }
    if (!plan.run) return;
    const { create, runId, shaUpdates, newJobs } = plan.run;
    if (create) runs.set(runId, { record: { ...create, jobs: [] }, seq: seq.next++ });
    for (const { jobId, sha } of shaUpdates) findJob(jobId).sha = sha;
    const run = findRun(runId);
    for (const job of newJobs) {
      run.jobs.push(structuredClone(job));
      jobRuns.set(job.id, runId);
    }
  }

  return {
    id: 'memory',
    capabilities: { durable: false },

    async getHeads(repository: string): Promise<RepositoryHeads> {
      assertOpen();
      const list = [...(heads.get(repository)?.values() ?? [])].sort((a, b) =>
        a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0,
      );
      return { seen: seen.has(repository), heads: structuredClone(list) };
    },

    async getHeadsMany(repositories: readonly string[]): Promise<Map<string, RepositoryHeads>> {
      const many = new Map<string, RepositoryHeads>();
      for (const repository of repositories) many.set(repository, await this.getHeads(repository));
      return many;
    },

    async recordDetection(input: DetectionInput): Promise<DetectionResult> {
      assertOpen();
      const spec = input.run;
      const now = new Date().toISOString();
      const plan = planDetection(input, {
        queuedRuns: spec ? queuedRunsOf(spec.unit) : [],
        runIdInUse: spec !== undefined && runs.has(spec.id),
        jobIdsInUse: spec ? spec.jobs.map((job) => job.id).filter((id) => jobRuns.has(id)) : [],
        now,
      });
      applyDetection(plan, now);
      return structuredClone(plan.result);
    },

    async recordPollFailure(repository: string, failure: PollFailure): Promise<PollHealth> {
      assertOpen();
      const next = planPollFailure(pollHealth.get(repository) ?? noPollFailures(), failure);
      pollHealth.set(repository, next);
      return { ...next };
    },

    async clearPollFailures(repository: string): Promise<void> {
      assertOpen();
      pollHealth.delete(repository);
    },

    async getPollHealth(repository: string): Promise<PollHealth> {
      assertOpen();
      const health = pollHealth.get(repository);
      return health ? { ...health } : noPollFailures();
    },

    async updateRun(id: string, patch: RunPatch): Promise<void> {
      assertOpen();
      applyPatch(findRun(id), patch, RUN_PATCH_KEYS);
    },

    async markDeployed(repository: string, branch: string, sha: string): Promise<void> {
      assertOpen();
      const head = heads.get(repository)?.get(branch);
      if (head) head.deployedSha = sha;
    },

    async updateJob(id: string, patch: JobPatch): Promise<void> {
      assertOpen();
      applyJobPatch(findJob(id), patch);
    },

    async getRun(id: string): Promise<RunRecord | null> {
      assertOpen();
      const stored = runs.get(id);
      return stored ? structuredClone(stored.record) : null;
    },

    async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
      assertOpen();
      const query = runQueryOf(filter);
      const newestFirst = inQueueOrder((run) => matches(run, query)).reverse();
      return structuredClone(newestFirst.slice(query.offset, query.offset + query.limit));
    },

    async nextQueuedRun(unit: UnitKey): Promise<RunRecord | null> {
      assertOpen();
      const [next] = queuedRunsOf(unit);
      return next ? structuredClone(next) : null;
    },

    async cancelRun(id: string, request: ActionStamp) {
      assertOpen();
      const stored = runs.get(id);
      if (!stored) return null;
      const plan = planCancel(stored.record, request);
      if (plan.run) applyPatch(stored.record, structuredClone(plan.run), CANCEL_KEYS);
      for (const { id: jobId, patch } of plan.jobs) applyJobPatch(findJob(jobId), patch);
      return { run: structuredClone(stored.record), outcome: plan.outcome };
    },

    async setPause(unit: UnitKey, pause: ActionStamp | null): Promise<void> {
      assertOpen();
      if (pause) pauses.set(unit, { unit, by: pause.by, at: pause.at, reason: pause.reason });
      else pauses.delete(unit);
    },

    async listPauses(): Promise<PauseRecord[]> {
      assertOpen();
      return [...pauses.values()]
        .map((pause) => ({ ...pause }))
        .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
    },

    async recoverInterrupted(options = {}): Promise<RecoveryResult> {
      assertOpen();
      const unfinished = inQueueOrder((run) =>
        (UNFINISHED_STATUSES as readonly string[]).includes(run.status),
      );
      const plan = planRecovery(
        unfinished,
        options.policy ?? 'requeue',
        options.now ?? new Date().toISOString(),
      );
      for (const { id, patch } of plan.runs) applyPatch(findRun(id), patch, RUN_UPDATE_KEYS);
      for (const { id, patch } of plan.jobs) applyJobPatch(findJob(id), patch);
      return plan.result;
    },

    ...memoryTransfer({
      heads,
      seen,
      pollHealth,
      pauses,
      runs,
      jobRuns,
      seq,
      runsInQueueOrder: () => inQueueOrder(() => true),
      assertOpen,
    }),

    async close(): Promise<void> {
      closed = true;
    },
  };
}

/** The in-memory store as a factory, registered under the id `memory`. */
export const memoryStateStore: StateStoreFactory = {
  id: 'memory',
  create: () => createMemoryStateStore(),
};

function byQueueOrder(a: StoredRun, b: StoredRun): number {
  const { createdAt: x } = a.record;
  const { createdAt: y } = b.record;
  return x < y ? -1 : x > y ? 1 : a.seq - b.seq;
}

function matches(run: RunRecord, query: RunQuery): boolean {
  if (query.statuses.length > 0 && !query.statuses.includes(run.status)) return false;
  if (query.unit !== undefined && run.unit !== query.unit) return false;
  if (query.trigger !== undefined && run.trigger !== query.trigger) return false;
  if (query.since !== undefined && run.createdAt < query.since) return false;
  if (query.repository !== undefined && !run.jobs.some((job) => job.repository === query.repository))
    return false;
  return true;
}

const RUN_PATCH_KEYS = [
  'status',
  'startedAt',
  'finishedAt',
  'error',
] as const satisfies readonly (keyof RunPatch)[];
const RUN_UPDATE_KEYS = [...RUN_PATCH_KEYS, 'attempts'] as const satisfies readonly (keyof RunUpdate)[];
const CANCEL_KEYS = [...RUN_PATCH_KEYS, 'cancelRequest'] as const satisfies readonly (keyof RunRecord)[];
const JOB_PATCH_KEYS = [
  'status',
  'exitCode',
  'startedAt',
  'finishedAt',
  'durationMs',
  'output',
  'error',
  'attempt',
] as const satisfies readonly (keyof JobPatch)[];

/** Copies the listed keys a patch defines: `undefined` means "leave as is", `null` clears. */
function applyPatch<T extends object>(target: T, patch: Partial<T>, keys: readonly (keyof T)[]): void {
  for (const key of keys) {
    const value = patch[key];
    if (value !== undefined) target[key] = value as T[keyof T];
  }
}

function applyJobPatch(job: JobRecord, patch: JobPatch): void {
  applyPatch(job, patch, JOB_PATCH_KEYS);
  // Through JSON, as a durable store keeps it: the caller's object stays theirs, and a value
  // JSON cannot hold reads back here the way it would from SQLite.
  if (patch.handle !== undefined)
    job.handle = patch.handle === null ? null : JSON.parse(JSON.stringify(patch.handle));
}
