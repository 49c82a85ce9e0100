import type {
  HeadRecord,
  JobRecord,
  JobStatus,
  PollHealth,
  RunRecord,
  RunStatus,
  TriggerKind,
  UnitKey,
} from '@sentry-git/core';
import { noPollFailures } from '@sentry-git/core/internal';

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
  seq: number;
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
}

export function headFromRow(row: HeadRow): HeadRecord {
  return {
    repository: row.repository,
    branch: row.branch,
    sha: row.sha,
    updatedAt: row.updated_at,
    deployedSha: row.deployed_sha,
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
  };
}

/** Record field → column, for the fields a patch may change (and only those reach SQL). */
export const RUN_PATCH_COLUMNS = {
  status: 'status',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
} as const;

export const JOB_PATCH_COLUMNS = {
  status: 'status',
  exitCode: 'exit_code',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  durationMs: 'duration_ms',
  output: 'output',
  error: 'error',
} as const;
