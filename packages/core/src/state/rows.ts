/**
 * Rows of the SQL state stores (SQLite, PostgreSQL), which share their tables' columns, and their
 * records. Only those stores write these columns, from typed records, so reading trusts them.
 */
import type { JobPatch, PollHealth, RepositoryHeads } from '../interfaces/state-store.js';
import type {
  ActionStamp,
  HeadRecord,
  JobHandle,
  JobRecord,
  JobStatus,
  PauseRecord,
  RunRecord,
  RunStatus,
  TriggerKind,
  UnitKey,
} from '../types.js';
import { noPollFailures } from './rules/poll-health.js';

export interface HeadRow {
  repository: string;
  branch: string;
  sha: string;
  updated_at: string;
  deployed_sha: string | null;
}

export interface PollFailureRow {
  repository: string;
  consecutive_failures: number;
  last_error: string;
  last_error_at: string;
  failing_since: string;
}

/** A repository without a row polls fine (or was never polled). */
export function pollHealthFromRow(row: PollFailureRow | undefined): PollHealth {
  if (!row) return noPollFailures();
  return {
    consecutiveFailures: row.consecutive_failures,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    failingSince: row.failing_since,
  };
}

export interface RunRow {
  id: string;
  unit: string;
  trigger: string;
  status: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  attempts: number;
  requested_by: string | null;
  /** JSON text of an ActionStamp. */
  cancel_request: string | null;
  seq: number;
}

/** A paused unit (the `pauses` table). */
export interface PauseRow {
  unit: string;
  paused_by: string;
  paused_at: string;
  reason: string | null;
}

export function pauseFromRow(row: PauseRow): PauseRecord {
  return { unit: row.unit as UnitKey, by: row.paused_by, at: row.paused_at, reason: row.reason };
}

/** A pause as its row keeps it. */
export function pauseToRow(unit: UnitKey, pause: ActionStamp): PauseRow {
  return { unit, paused_by: pause.by, paused_at: pause.at, reason: pause.reason };
}

/** A cancel request as its column keeps it: JSON with its keys in a fixed order. */
export function stampToColumn(stamp: ActionStamp | null): string | null {
  return stamp === null ? null : JSON.stringify({ by: stamp.by, at: stamp.at, reason: stamp.reason });
}

export interface JobRow {
  id: string;
  run_id: string;
  position: number;
  repository: string;
  branch: string;
  sha: string;
  previous_sha: string | null;
  status: string;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  output: string;
  error: string | null;
  attempt: number;
  /** JSON text. */
  handle: string | null;
}

/**
 * A head as the engine keeps it (its head cache holds every watched head for the life of the
 * process): a deployed commit that is the head's own commit, the usual case, is the same string,
 * and the repository is the caller's string, not a copy per row. In a heap snapshot of watch
 * with 10,000 heads these were 20,000 copies of 40-character SHAs and names (about 90 bytes a head).
 */
export function headFromRow(row: HeadRow, repository: string = row.repository): HeadRecord {
  const sha = row.sha;
  return {
    repository,
    branch: row.branch,
    sha,
    updatedAt: row.updated_at,
    deployedSha: row.deployed_sha === sha ? sha : row.deployed_sha,
  };
}

// The casts trust the database: only this store writes these columns, from typed records.
export function runFromRows(row: RunRow, jobs: JobRow[]): RunRecord {
  return {
    id: row.id,
    unit: row.unit as UnitKey,
    trigger: row.trigger as TriggerKind,
    status: row.status as RunStatus,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    attempts: row.attempts,
    requestedBy: row.requested_by,
    cancelRequest: row.cancel_request === null ? null : (JSON.parse(row.cancel_request) as ActionStamp),
    jobs: jobs.map(jobFromRow),
  };
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    runId: row.run_id,
    position: row.position,
    repository: row.repository,
    branch: row.branch,
    sha: row.sha,
    previousSha: row.previous_sha,
    status: row.status as JobStatus,
    exitCode: row.exit_code,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    output: row.output,
    error: row.error,
    attempt: row.attempt,
    handle: row.handle === null ? null : (JSON.parse(row.handle) as JobHandle),
  };
}

/** A handle as its column keeps it. */
export function handleToColumn(handle: JobHandle | null): string | null {
  return handle === null ? null : JSON.stringify(handle);
}

/** A job as `insertJob` binds it. */
export function jobToRow(job: JobRecord): JobRow {
  return {
    id: job.id,
    run_id: job.runId,
    position: job.position,
    repository: job.repository,
    branch: job.branch,
    sha: job.sha,
    previous_sha: job.previousSha,
    status: job.status,
    exit_code: job.exitCode,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    duration_ms: job.durationMs,
    output: job.output,
    error: job.error,
    attempt: job.attempt,
    handle: handleToColumn(job.handle),
  };
}

/** A run as `insertRun` binds it (`seq` is the store's). */
export function runToRow(run: Omit<RunRecord, 'jobs'>): Omit<RunRow, 'seq'> {
  return {
    id: run.id,
    unit: run.unit,
    trigger: run.trigger,
    status: run.status,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    error: run.error,
    attempts: run.attempts,
    requested_by: run.requestedBy,
    cancel_request: stampToColumn(run.cancelRequest),
  };
}

/** Record field → column, for the fields a patch may change (and only those reach SQL). */
export const RUN_PATCH_COLUMNS = {
  status: 'status',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
} as const;

/** What recovery may change of a run: a patch, and the interruptions it counts. */
export const RUN_UPDATE_COLUMNS = { ...RUN_PATCH_COLUMNS, attempts: 'attempts' } as const;

/** What `cancelRun` may change of a run (`planCancel`): an update, and the cancel request. */
export const RUN_CANCEL_COLUMNS = { ...RUN_UPDATE_COLUMNS, cancelRequest: 'cancel_request' } as const;

/** A cancel plan's run patch as its columns hold it: the request as JSON text. */
export function cancelPatchColumns(patch: { cancelRequest?: ActionStamp }): Record<string, unknown> {
  return {
    ...patch,
    cancelRequest: patch.cancelRequest === undefined ? undefined : stampToColumn(patch.cancelRequest),
  };
}

export const JOB_PATCH_COLUMNS = {
  status: 'status',
  exitCode: 'exit_code',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  durationMs: 'duration_ms',
  output: 'output',
  error: 'error',
  attempt: 'attempt',
  handle: 'handle',
} as const;

/** A job patch as its columns hold it: the handle as JSON text. */
export function jobPatchColumns(patch: JobPatch): Record<string, unknown> {
  return { ...patch, handle: patch.handle === undefined ? undefined : handleToColumn(patch.handle) };
}

/** One column a patch sets: the record field, its column and the new value. */
export interface ColumnChange {
  field: string;
  column: string;
  value: unknown;
}

/** What `patch` changes, as columns (only those `columns` names reach SQL; undefined fields are left alone). */
export function columnChanges(columns: Record<string, string>, patch: object): ColumnChange[] {
  const changes: ColumnChange[] = [];
  for (const [field, column] of Object.entries(columns)) {
    const value = (patch as Record<string, unknown>)[field];
    if (value !== undefined) changes.push({ field, column, value });
  }
  return changes;
}

/** Runs with their jobs, in the order of `rows`; `jobs` may hold the jobs of all of them, in any run order. */
export function runsWithJobs(rows: readonly RunRow[], jobs: readonly JobRow[]): RunRecord[] {
  const byRun = new Map<string, JobRow[]>();
  for (const job of jobs) {
    const list = byRun.get(job.run_id);
    if (list) list.push(job);
    else byRun.set(job.run_id, [job]);
  }
  return rows.map((row) => runFromRows(row, byRun.get(row.id) ?? []));
}

/**
 * `getHeadsMany`'s answer: each of `repositories` (unknown ones as unseen with no heads) with its
 * head rows. The records hold the caller's name strings, as `getHeads` does, not a copy per row.
 */
export function headsByRepository(
  repositories: readonly string[],
  seen: ReadonlySet<string>,
  rows: readonly HeadRow[],
): Map<string, RepositoryHeads> {
  const many = new Map<string, RepositoryHeads>();
  const nameOf = new Map<string, string>();
  for (const repository of repositories) {
    many.set(repository, { seen: seen.has(repository), heads: [] });
    nameOf.set(repository, repository);
  }
  for (const row of rows) many.get(row.repository)?.heads.push(headFromRow(row, nameOf.get(row.repository)));
  return many;
}
