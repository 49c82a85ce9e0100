import { SentryError } from '../errors.js';
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
import type { HeadRecord, JobRecord, JobStatus, RunRecord, RunSpec, RunStatus } from '../types.js';
import { noPollFailures } from './no-poll-failures.js';

const DEFAULT_RUN_LIMIT = 20;
const INTERRUPTED_BY_CRASH = 'interrupted by a crash';

/** A run as kept in memory: `seq` breaks ties of `createdAt` by insertion order. */
interface StoredRun {
  record: RunRecord;
  seq: number;
}

/**
 * A state store that lives and dies with the process: for tests, dry runs and one-shot
 * `sentry-git run`. Everything handed out is a copy, so callers cannot change it behind its back.
 */
export function createMemoryStateStore(): StateStore {
  const heads = new Map<string, Map<string, HeadRecord>>();
  const seen = new Set<string>();
  /** Repositories whose last polls failed; one that polls fine has no entry. */
  const pollHealth = new Map<string, PollHealth>();
  const runs = new Map<string, StoredRun>();
  /** job id → run id, to find a job for `updateJob` and to refuse reused job ids. */
  const jobRuns = new Map<string, string>();
  let nextSeq = 1;
  let closed = false;

  function assertOpen(): void {
    if (closed) throw closedError('memory');
  }

  /** The newest queued run of the unit: merging there keeps the latest SHAs in the run that deploys last. */
  function queuedRunOf(unit: string): StoredRun | undefined {
    let found: StoredRun | undefined;
    for (const stored of runs.values()) {
      if (
        stored.record.unit === unit &&
        stored.record.status === 'queued' &&
        (!found || stored.seq > found.seq)
      ) {
        found = stored;
      }
    }
    return found;
  }

  /**
   * Builds the run the spec leads to without touching the store, so a bad spec throws before
   * anything is written (the memory store's stand-in for a transaction).
   */
  function planRun(spec: RunSpec): { run: RunRecord; existing: StoredRun | undefined; newJobIds: string[] } {
    if (spec.jobs.length === 0) throw invalidRunError(spec.id, 'it has no jobs');
    const existing = queuedRunOf(spec.unit);
    if (!existing && runs.has(spec.id))
      throw invalidRunError(spec.id, `a run with id "${spec.id}" already exists`);
    const run: RunRecord = existing
      ? structuredClone(existing.record)
      : {
          id: spec.id,
          unit: spec.unit,
          trigger: spec.trigger,
          status: 'queued',
          createdAt: spec.createdAt,
          startedAt: null,
          finishedAt: null,
          error: null,
          attempts: 0,
          jobs: [],
        };
    const newJobIds: string[] = [];
    for (const job of spec.jobs) {
      const same = run.jobs.find(
        (candidate) => candidate.repository === job.repository && candidate.branch === job.branch,
      );
      if (same) {
        // Keeps its id and previousSha: the deploy still goes from what was last deployed.
        same.sha = job.sha;
        continue;
      }
      if (jobRuns.has(job.id) || newJobIds.includes(job.id)) {
        throw invalidRunError(spec.id, `job id "${job.id}" is already in use`);
      }
      newJobIds.push(job.id);
      run.jobs.push(newJob(run.id, nextPosition(run.jobs), job));
    }
    return { run, existing, newJobIds };
  }

  function writeHeads(input: DetectionInput, now: string): void {
    for (const repository of input.repositories) seen.add(repository);
    for (const change of input.changes) {
      let branches = heads.get(change.repository);
      if (change.after === null) {
        branches?.delete(change.branch);
        continue;
      }
      if (!branches) {
        branches = new Map();
        heads.set(change.repository, branches);
      }
      const previous = branches.get(change.branch);
      branches.set(change.branch, {
        repository: change.repository,
        branch: change.branch,
        sha: change.after,
        updatedAt: now,
        deployedSha: change.kind === 'baseline' ? change.after : (previous?.deployedSha ?? null),
      });
    }
  }

  function findRun(id: string): StoredRun {
    const stored = runs.get(id);
    if (!stored) throw notFoundError('run', id);
    return stored;
  }

  function findJob(id: string): JobRecord {
    const runId = jobRuns.get(id);
    const job =
      runId === undefined ? undefined : runs.get(runId)?.record.jobs.find((candidate) => candidate.id === id);
    if (!job) throw notFoundError('job', id);
    return job;
  }

  function interrupted(): StoredRun[] {
    return [...runs.values()].filter((stored) => isUnfinished(stored.record.status)).sort(byOldest);
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

    async recordDetection(input: DetectionInput): Promise<DetectionResult> {
      assertOpen();
      const plan = input.run ? planRun(input.run) : undefined;
      writeHeads(input, new Date().toISOString());
      if (!plan) return { run: null, coalesced: false };
      for (const id of plan.newJobIds) jobRuns.set(id, plan.run.id);
      if (plan.existing) {
        plan.existing.record = plan.run;
      } else {
        runs.set(plan.run.id, { record: plan.run, seq: nextSeq++ });
      }
      return { run: structuredClone(plan.run), coalesced: plan.existing !== undefined };
    },

    async recordPollFailure(repository: string, failure: PollFailure): Promise<PollHealth> {
      assertOpen();
      const previous = pollHealth.get(repository);
      const next: PollHealth = {
        consecutiveFailures: (previous?.consecutiveFailures ?? 0) + 1,
        lastError: failure.error,
        lastErrorAt: failure.at,
        failingSince: previous?.failingSince ?? failure.at,
      };
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
      applyRunPatch(findRun(id).record, patch);
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
      const matching = [...runs.values()]
        .filter((stored) => matchesFilter(stored.record, filter))
        .sort(byNewest);
      const { limit, offset } = pageOf(filter);
      return matching.slice(offset, offset + limit).map((stored) => structuredClone(stored.record));
    },

    async recoverInterrupted(options = {}): Promise<RecoveryResult> {
      assertOpen();
      const policy = options.policy ?? 'requeue';
      const now = options.now ?? new Date().toISOString();
      const affected = interrupted();
      for (const { record } of affected) {
        if (policy === 'requeue') requeue(record);
        else failInterrupted(record, now);
      }
      const copies = affected.map((stored) => structuredClone(stored.record));
      return policy === 'requeue' ? { requeued: copies, failed: [] } : { requeued: [], failed: copies };
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}

function newJob(runId: string, position: number, job: RunSpec['jobs'][number]): JobRecord {
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

function nextPosition(jobs: JobRecord[]): number {
  return jobs.reduce((max, job) => Math.max(max, job.position + 1), 0);
}

function requeue(run: RunRecord): void {
  // Only a run that had started was interrupted; a queued one simply waits again.
  if (run.status === 'running') run.attempts += 1;
  run.status = 'queued';
  run.startedAt = null;
  for (const job of run.jobs) {
    if (job.status !== 'running') continue;
    job.status = 'queued';
    job.startedAt = null;
  }
}

function failInterrupted(run: RunRecord, now: string): void {
  run.status = 'failed';
  run.error = INTERRUPTED_BY_CRASH;
  run.finishedAt = now;
  for (const job of run.jobs) {
    if (!isUnfinished(job.status)) continue;
    job.status = 'cancelled';
    job.error = INTERRUPTED_BY_CRASH;
    job.finishedAt = now;
  }
}

/** The in-memory store as a factory, registered under the id `memory`. */
export const memoryStateStore: StateStoreFactory = {
  id: 'memory',
  create: () => createMemoryStateStore(),
};

function isUnfinished(status: RunStatus | JobStatus): boolean {
  return status === 'queued' || status === 'running';
}

function byOldest(a: StoredRun, b: StoredRun): number {
  return a.record.createdAt < b.record.createdAt
    ? -1
    : a.record.createdAt > b.record.createdAt
      ? 1
      : a.seq - b.seq;
}

function byNewest(a: StoredRun, b: StoredRun): number {
  return byOldest(b, a);
}

function matchesFilter(run: RunRecord, filter: RunFilter): boolean {
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    // An empty list means "any status", like an absent filter.
    if (statuses.length > 0 && !statuses.includes(run.status)) return false;
  }
  if (filter.unit !== undefined && run.unit !== filter.unit) return false;
  if (filter.trigger !== undefined && run.trigger !== filter.trigger) return false;
  if (filter.repository !== undefined && !run.jobs.some((job) => job.repository === filter.repository))
    return false;
  return true;
}

function pageOf(filter: RunFilter): { limit: number; offset: number } {
  return { limit: wholeOr(filter.limit, DEFAULT_RUN_LIMIT), offset: wholeOr(filter.offset, 0) };
}

function wholeOr(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));
}

/** Copies the defined keys of a patch: `undefined` means "leave as is", `null` clears. */
function assignDefined<T extends object>(target: T, patch: Partial<T>, keys: readonly (keyof T)[]): void {
  for (const key of keys) {
    const value = patch[key];
    if (value !== undefined) target[key] = value as T[keyof T];
  }
}

const RUN_PATCH_KEYS = [
  'status',
  'startedAt',
  'finishedAt',
  'error',
] as const satisfies readonly (keyof RunPatch)[];
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

function applyRunPatch(run: RunRecord, patch: RunPatch): void {
  assignDefined(run, patch, RUN_PATCH_KEYS);
}

function applyJobPatch(job: JobRecord, patch: JobPatch): void {
  assignDefined(job, patch, JOB_PATCH_KEYS);
  // Through JSON, as a durable store keeps it: the caller's object stays theirs, and a value
  // JSON cannot hold reads back here the way it would from SQLite.
  if (patch.handle !== undefined)
    job.handle = patch.handle === null ? null : JSON.parse(JSON.stringify(patch.handle));
}

function invalidRunError(runId: string, reason: string): SentryError {
  return new SentryError('STATE_INVALID_RUN', `Cannot record run "${runId}": ${reason}.`, {
    details: { runId },
  });
}

function notFoundError(kind: 'run' | 'job', id: string): SentryError {
  return new SentryError('STATE_NOT_FOUND', `No ${kind} with id "${id}" in the state store.`, {
    details: { [`${kind}Id`]: id },
  });
}

function closedError(store: string): SentryError {
  return new SentryError('STATE_CLOSED', `The ${store} state store is closed.`, {
    fix: 'Create a new store; a closed one cannot be used again.',
  });
}
