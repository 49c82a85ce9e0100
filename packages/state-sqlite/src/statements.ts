import type Database from 'better-sqlite3';

/**
 * Every fixed statement of the store, prepared once by `prepareStatements`. Storage only: what
 * to write comes from core's plans. Lists of ids travel as one JSON array (`json_each`), so one
 * statement serves any number. Queue order is `created_at, seq` (`seq`: insertion order).
 */
const SQL = {
  selectSeen: 'SELECT 1 FROM repositories WHERE name = ?',
  selectHeads: 'SELECT * FROM heads WHERE repository = ? ORDER BY branch',
  selectSeenMany: 'SELECT name FROM repositories WHERE name IN (SELECT value FROM json_each(?))',
  selectHeadsMany:
    'SELECT * FROM heads WHERE repository IN (SELECT value FROM json_each(?)) ORDER BY repository, branch',
  insertRepository: 'INSERT INTO repositories (name, seen_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  // A null deployed_sha in the write means "keep the stored one" (null for a new head).
  upsertHead: `INSERT INTO heads (repository, branch, sha, updated_at, deployed_sha)
       VALUES (@repository, @branch, @sha, @updatedAt, @deployedSha)
       ON CONFLICT (repository, branch) DO UPDATE SET sha = excluded.sha, updated_at = excluded.updated_at,
         deployed_sha = coalesce(excluded.deployed_sha, heads.deployed_sha)`,
  deleteHead: 'DELETE FROM heads WHERE repository = ? AND branch = ?',
  markDeployed: 'UPDATE heads SET deployed_sha = ? WHERE repository = ? AND branch = ?',
  upsertPollFailures: `INSERT INTO poll_failures (repository, consecutive_failures, last_error, last_error_at, failing_since)
       VALUES (@repository, @consecutiveFailures, @lastError, @lastErrorAt, @failingSince)
       ON CONFLICT (repository) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
         last_error = excluded.last_error, last_error_at = excluded.last_error_at,
         failing_since = excluded.failing_since`,
  clearPollFailures: 'DELETE FROM poll_failures WHERE repository = ?',
  selectPollFailures: 'SELECT * FROM poll_failures WHERE repository = ?',
  selectQueuedRunsOfUnit: "SELECT * FROM runs WHERE unit = ? AND status = 'queued' ORDER BY created_at, seq",
  selectNextQueuedRun:
    "SELECT * FROM runs WHERE unit = ? AND status = 'queued' ORDER BY created_at, seq LIMIT 1",
  selectUnfinishedRuns: "SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, seq",
  selectRun: 'SELECT * FROM runs WHERE id = ?',
  selectJobIdsIn: 'SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?))',
  insertRun: `INSERT INTO runs (id, unit, trigger, status, created_at, started_at, finished_at, error, attempts,
                         requested_by, cancel_request, seq)
       VALUES (@id, @unit, @trigger, @status, @created_at, @started_at, @finished_at, @error, @attempts,
               @requested_by, @cancel_request, (SELECT coalesce(max(seq), 0) + 1 FROM runs))`,
  insertJob: `INSERT INTO jobs (id, run_id, position, repository, branch, sha, previous_sha, status, exit_code,
                         started_at, finished_at, duration_ms, output, error, attempt, handle)
       VALUES (@id, @run_id, @position, @repository, @branch, @sha, @previous_sha, @status, @exit_code,
               @started_at, @finished_at, @duration_ms, @output, @error, @attempt, @handle)`,
  updateJobSha: 'UPDATE jobs SET sha = ? WHERE id = ?',
  selectJobsOfRun: 'SELECT * FROM jobs WHERE run_id = ? ORDER BY position',
  upsertPause: `INSERT INTO pauses (unit, paused_by, paused_at, reason) VALUES (@unit, @paused_by, @paused_at, @reason)
       ON CONFLICT (unit) DO UPDATE SET paused_by = excluded.paused_by, paused_at = excluded.paused_at,
         reason = excluded.reason`,
  deletePause: 'DELETE FROM pauses WHERE unit = ?',
  selectPauses: 'SELECT * FROM pauses ORDER BY unit',
  selectJobsOfRuns:
    'SELECT * FROM jobs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, position',
} as const;

export type Statements = Record<keyof typeof SQL, Database.Statement>;

export function prepareStatements(db: Database.Database): Statements {
  return Object.fromEntries(
    Object.entries(SQL).map(([name, text]) => [name, db.prepare(text)]),
  ) as Statements;
}
