/**
 * The SQL stores' rows as state records and back, for their `exportState` and `importState`
 * (SQLite and PostgreSQL share their tables' columns, see ../rows.ts).
 */
import type {
  StateCounts,
  StateHeadRecord,
  StatePauseRecord,
  StatePollHealthRecord,
  StateRepositoryRecord,
} from '../../interfaces/state-transfer.js';
import {
  type HeadRow,
  headFromRow,
  type PauseRow,
  type PollFailureRow,
  pauseFromRow,
  pauseToRow,
} from '../rows.js';

export interface RepositoryRow {
  name: string;
  seen_at: string;
}

/** Every table that holds state, children first: the order `replace` deletes them in. */
export const STATE_TABLES = ['jobs', 'runs', 'heads', 'repositories', 'poll_failures', 'pauses'] as const;

/** One statement (the same in SQLite and PostgreSQL) that counts what a store holds: one row of `CountsRow`. */
export const COUNT_STATE_SQL = `SELECT (SELECT count(*) FROM repositories) AS repositories,
  (SELECT count(*) FROM heads) AS heads, (SELECT count(*) FROM poll_failures) AS poll_health,
  (SELECT count(*) FROM pauses) AS pauses, (SELECT count(*) FROM runs) AS runs,
  (SELECT count(*) FROM jobs) AS jobs`;

export interface CountsRow {
  repositories: number | string | bigint;
  heads: number | string | bigint;
  poll_health: number | string | bigint;
  pauses: number | string | bigint;
  runs: number | string | bigint;
  jobs: number | string | bigint;
}

export function countsFromRow(row: CountsRow): StateCounts {
  return {
    repositories: Number(row.repositories),
    heads: Number(row.heads),
    pollHealth: Number(row.poll_health),
    pauses: Number(row.pauses),
    runs: Number(row.runs),
    jobs: Number(row.jobs),
  };
}

export function repositoryRecordFromRow(row: RepositoryRow): StateRepositoryRecord {
  return { type: 'repository', name: row.name, seenAt: row.seen_at };
}

export function headRecordFromRow(row: HeadRow): StateHeadRecord {
  return { type: 'head', ...headFromRow(row) };
}

export function pollHealthRecordFromRow(row: PollFailureRow): StatePollHealthRecord {
  return {
    type: 'pollHealth',
    repository: row.repository,
    consecutiveFailures: row.consecutive_failures,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    failingSince: row.failing_since,
  };
}

export function headRowOf(record: StateHeadRecord): HeadRow {
  return {
    repository: record.repository,
    branch: record.branch,
    sha: record.sha,
    updated_at: record.updatedAt,
    deployed_sha: record.deployedSha,
  };
}

export function pollFailureRowOf(record: StatePollHealthRecord): PollFailureRow {
  return {
    repository: record.repository,
    consecutive_failures: record.consecutiveFailures,
    last_error: record.lastError,
    last_error_at: record.lastErrorAt,
    failing_since: record.failingSince,
  };
}

export function pauseRecordFromRow(row: PauseRow): StatePauseRecord {
  return { type: 'pause', ...pauseFromRow(row) };
}

export function pauseRowOf(record: StatePauseRecord): PauseRow {
  return pauseToRow(record.unit, record);
}
