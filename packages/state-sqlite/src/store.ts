import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type DetectionInput,
  type DetectionResult,
  errorMessage,
  isSentryError,
  type JobPatch,
  type PollFailure,
  type PollHealth,
  type RecoveryResult,
  type RepositoryHeads,
  type RunFilter,
  type RunPatch,
  type RunRecord,
  type RunSpec,
  SentryError,
  type StateStore,
} from '@sentry-git/core';
import type Database from 'better-sqlite3';
import { sqliteDriver } from './driver.js';
import { acquireFileLock } from './lock.js';
import { assertSupportedVersion, migrate } from './migrations.js';
import {
  type HeadRow,
  handleToColumn,
  headFromRow,
  JOB_PATCH_COLUMNS,
  type JobRow,
  type PollFailureRow,
  pollHealthFromRow,
  RUN_PATCH_COLUMNS,
  type RunRow,
  runFromRows,
} from './rows.js';

export interface SqliteStateStoreOptions {
  /**
   * The database file, or `':memory:'` for a throwaway database. A relative path resolves
   * against `configDir`; missing parent folders are created.
   * @default none (required)
   */
  path: string;
  /**
   * The folder a relative `path` resolves against (the configuration file's folder).
   * @default process.cwd()
   */
  configDir?: string;
  /**
   * How long a write waits for another connection's lock (another sentry-git process, a
   * `sqlite3` shell) before failing, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_RUN_LIMIT = 20;
const INTERRUPTED_BY_CRASH = 'interrupted by a crash';
const IN_MEMORY = ':memory:';

/**
 * The durable state store: one SQLite file in WAL mode. Every write that must be atomic
 * (a detection, a recovery) is one transaction, so a crash leaves either all of it or none.
 */
export function createSqliteStateStore(options: SqliteStateStoreOptions): StateStore {
  const file = resolveFile(options);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new SentryError(
      'STATE_OPTION_INVALID',
      `busyTimeoutMs must be a whole number of milliseconds ≥ 0, got ${busyTimeoutMs}.`,
      {
        path: 'busyTimeoutMs',
      },
    );
  }
  const db = openDatabase(file, busyTimeoutMs);
  return storeOn(db, file);
}

function resolveFile(options: SqliteStateStoreOptions | undefined): string {
  const given = options?.path;
  if (typeof given !== 'string' || given.trim() === '') {
    throw new SentryError('STATE_OPTION_MISSING', 'The SQLite state store needs the `path` option.', {
      fix: "Pass `path` (a file path, or ':memory:'), or set `state.path` in the configuration.",
      path: 'path',
    });
  }
  if (given === IN_MEMORY) return given;
  const file = path.resolve(options?.configDir ?? process.cwd(), given);
  mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    const Driver = sqliteDriver();
    db = new Driver(file, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Checked before switching the journal mode, so a too-new file is not touched at all.
    assertSupportedVersion(db, file);
    // WAL: readers (the status API) never block the writer, and a commit is one append.
    db.pragma('journal_mode = WAL');
    // better-sqlite3 builds with NORMAL as the WAL default, which may drop the last commits
    // on power loss; a recorded detection must survive that, and writes are few.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    return db;
  } catch (error) {
    db?.close();
    if (isSentryError(error)) throw error;
    throw new SentryError(
      'STATE_OPEN_FAILED',
      `Cannot open the SQLite state store ${file}: ${errorMessage(error)}.`,
      {
        fix: 'Check that the file is a sentry-git state database and that its folder is writable.',
        path: file,
        cause: error,
      },
    );
  }
}

function storeOn(db: Database.Database, file: string): StateStore {
  const sql = prepareStatements(db);
  let closed = false;
  const locks = new Set<{ release(): void }>();

  function assertOpen(): void {
    if (closed) {
      throw new SentryError('STATE_CLOSED', `The SQLite state store ${file} is closed.`, {
        fix: 'Create a new store; a closed one cannot be used again.',
      });
    }
  }

  function readRun(id: string): RunRecord | null {
    const row = sql.selectRun.get(id) as RunRow | undefined;
    return row ? runFromRows(row, sql.selectJobsOfRun.all(id) as JobRow[]) : null;
  }

  function readRuns(rows: RunRow[]): RunRecord[] {
    if (rows.length === 0) return [];
    const jobs = sql.selectJobsOfRuns.all(JSON.stringify(rows.map((row) => row.id))) as JobRow[];
    const byRun = new Map<string, JobRow[]>();
    for (const job of jobs) {
      const list = byRun.get(job.run_id);
      if (list) list.push(job);
      else byRun.set(job.run_id, [job]);
    }
    return rows.map((row) => runFromRows(row, byRun.get(row.id) ?? []));
  }

  /** Merges into the unit's newest queued run, or creates the run; returns its id. */
  function writeRun(spec: RunSpec): { runId: string; coalesced: boolean } {
    const queued = sql.selectQueuedRun.get(spec.unit) as { id: string } | undefined;
    const runId = queued?.id ?? spec.id;
    if (!queued)
      sql.insertRun.run({ id: spec.id, unit: spec.unit, trigger: spec.trigger, createdAt: spec.createdAt });
    for (const job of spec.jobs) {
      const same = sql.selectSameJob.get(runId, job.repository, job.branch) as { id: string } | undefined;
      if (same) {
        // Keeps its id and previous_sha: the deploy still goes from what was last deployed.
        sql.updateJobSha.run(job.sha, same.id);
      } else {
        sql.insertJob.run({
          id: job.id,
          runId,
          repository: job.repository,
          branch: job.branch,
          sha: job.sha,
          previousSha: job.previousSha,
        });
      }
    }
    return { runId, coalesced: queued !== undefined };
  }

  const recordDetection = db.transaction((input: DetectionInput, now: string): DetectionResult => {
    for (const repository of input.repositories) sql.insertRepository.run(repository, now);
    for (const change of input.changes) {
      if (change.after === null) sql.deleteHead.run(change.repository, change.branch);
      else {
        const deployed = change.kind === 'baseline' ? change.after : null;
        sql.upsertHead.run(change.repository, change.branch, change.after, now, deployed);
      }
    }
    if (!input.run) return { run: null, coalesced: false };
    const { runId, coalesced } = writeRun(input.run);
    return { run: readRun(runId), coalesced };
  });

  const recover = db.transaction((policy: 'requeue' | 'fail', now: string): RunRecord[] => {
    const ids = JSON.stringify((sql.selectUnfinishedRunIds.all() as { id: string }[]).map((row) => row.id));
    if (policy === 'requeue') {
      sql.requeueJobs.run(ids);
      sql.requeueRuns.run(ids);
    } else {
      sql.cancelJobs.run(INTERRUPTED_BY_CRASH, now, ids);
      sql.failRuns.run(INTERRUPTED_BY_CRASH, now, ids);
    }
    return readRuns(sql.selectRunsByIdOldestFirst.all(ids) as RunRow[]);
  });

  function patchRow(
    table: 'runs' | 'jobs',
    columns: Record<string, string>,
    id: string,
    patch: object,
  ): void {
    const values: Record<string, unknown> = { id };
    const sets: string[] = [];
    for (const [field, column] of Object.entries(columns)) {
      const value = (patch as Record<string, unknown>)[field];
      if (value === undefined) continue;
      sets.push(`${column} = @${field}`);
      values[field] = value;
    }
    const found =
      sets.length === 0
        ? db.prepare(`SELECT 1 FROM ${table} WHERE id = @id`).get(values) !== undefined
        : db.prepare(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = @id`).run(values).changes > 0;
    if (!found) {
      const kind = table === 'runs' ? 'run' : 'job';
      throw new SentryError('STATE_NOT_FOUND', `No ${kind} with id "${id}" in the state store.`, {
        details: { [`${kind}Id`]: id },
      });
    }
  }

  return {
    id: 'sqlite',
    capabilities: { durable: true },

    async getHeads(repository: string): Promise<RepositoryHeads> {
      assertOpen();
      const seen = sql.selectSeen.get(repository) !== undefined;
      const heads = (sql.selectHeads.all(repository) as HeadRow[]).map(headFromRow);
      return { seen, heads };
    },

    async recordDetection(input: DetectionInput): Promise<DetectionResult> {
      assertOpen();
      if (input.run && input.run.jobs.length === 0) {
        throw invalidRunError(input.run.id, 'it has no jobs');
      }
      try {
        // IMMEDIATE: take the write lock up front instead of failing to upgrade a read lock.
        return recordDetection.immediate(input, new Date().toISOString());
      } catch (error) {
        // A reused run or job id trips a key; the transaction has rolled back all of it.
        if (
          error instanceof sqliteDriver().SqliteError &&
          error.code.startsWith('SQLITE_CONSTRAINT') &&
          input.run
        ) {
          throw invalidRunError(input.run.id, `a run or job id is already in use (${error.message})`, error);
        }
        throw error;
      }
    },

    async recordPollFailure(repository: string, failure: PollFailure): Promise<PollHealth> {
      assertOpen();
      const row = sql.recordPollFailure.get({ repository, ...failure }) as PollFailureRow;
      return pollHealthFromRow(row);
    },

    async clearPollFailures(repository: string): Promise<void> {
      assertOpen();
      sql.clearPollFailures.run(repository);
    },

    async getPollHealth(repository: string): Promise<PollHealth> {
      assertOpen();
      return pollHealthFromRow(sql.selectPollFailures.get(repository) as PollFailureRow | undefined);
    },

    async updateRun(id: string, patch: RunPatch): Promise<void> {
      assertOpen();
      patchRow('runs', RUN_PATCH_COLUMNS, id, patch);
    },

    async markDeployed(repository: string, branch: string, sha: string): Promise<void> {
      assertOpen();
      sql.markDeployed.run(sha, repository, branch);
    },

    async updateJob(id: string, patch: JobPatch): Promise<void> {
      assertOpen();
      const handle = patch.handle === undefined ? undefined : handleToColumn(patch.handle);
      patchRow('jobs', JOB_PATCH_COLUMNS, id, { ...patch, handle });
    },

    async getRun(id: string): Promise<RunRecord | null> {
      assertOpen();
      return readRun(id);
    },

    async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
      assertOpen();
      const where: string[] = [];
      const params: Record<string, unknown> = {
        limit: wholeOr(filter.limit, DEFAULT_RUN_LIMIT),
        offset: wholeOr(filter.offset, 0),
      };
      const statuses = filter.status === undefined ? [] : [filter.status].flat();
      // An empty status list means "any status", like an absent filter.
      if (statuses.length > 0) {
        where.push('status IN (SELECT value FROM json_each(@statuses))');
        params.statuses = JSON.stringify(statuses);
      }
      if (filter.unit !== undefined) {
        where.push('unit = @unit');
        params.unit = filter.unit;
      }
      if (filter.trigger !== undefined) {
        where.push('trigger = @trigger');
        params.trigger = filter.trigger;
      }
      if (filter.repository !== undefined) {
        where.push(
          'EXISTS (SELECT 1 FROM jobs WHERE jobs.run_id = runs.id AND jobs.repository = @repository)',
        );
        params.repository = filter.repository;
      }
      const rows = db
        .prepare(
          `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset`,
        )
        .all(params) as RunRow[];
      return readRuns(rows);
    },

    async recoverInterrupted(options = {}): Promise<RecoveryResult> {
      assertOpen();
      const policy = options.policy ?? 'requeue';
      const runs = recover.immediate(policy, options.now ?? new Date().toISOString());
      return policy === 'requeue' ? { requeued: runs, failed: [] } : { requeued: [], failed: runs };
    },

    async acquireEngineLock(owner: string): Promise<() => Promise<void>> {
      assertOpen();
      // A :memory: database lives in this one store object: no other engine can reach it.
      const lock = file === IN_MEMORY ? { release() {} } : acquireFileLock(file, owner);
      locks.add(lock);
      return async () => {
        locks.delete(lock);
        lock.release();
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const lock of locks) lock.release();
      locks.clear();
      db.close();
    },
  };
}

function prepareStatements(db: Database.Database) {
  return {
    selectSeen: db.prepare('SELECT 1 FROM repositories WHERE name = ?'),
    selectHeads: db.prepare('SELECT * FROM heads WHERE repository = ? ORDER BY branch'),
    insertRepository: db.prepare(
      'INSERT INTO repositories (name, seen_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    // A baseline sets deployed_sha; a later move keeps it (only a successful deploy moves it).
    upsertHead: db.prepare(
      `INSERT INTO heads (repository, branch, sha, updated_at, deployed_sha) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (repository, branch) DO UPDATE SET sha = excluded.sha, updated_at = excluded.updated_at,
         deployed_sha = coalesce(excluded.deployed_sha, heads.deployed_sha)`,
    ),
    markDeployed: db.prepare('UPDATE heads SET deployed_sha = ? WHERE repository = ? AND branch = ?'),
    // One statement: the count goes up atomically even if two processes record at once.
    recordPollFailure: db.prepare(
      `INSERT INTO poll_failures (repository, consecutive_failures, last_error, last_error_at, failing_since)
       VALUES (@repository, 1, @error, @at, @at)
       ON CONFLICT (repository) DO UPDATE SET consecutive_failures = consecutive_failures + 1,
         last_error = excluded.last_error, last_error_at = excluded.last_error_at
       RETURNING *`,
    ),
    clearPollFailures: db.prepare('DELETE FROM poll_failures WHERE repository = ?'),
    selectPollFailures: db.prepare('SELECT * FROM poll_failures WHERE repository = ?'),
    deleteHead: db.prepare('DELETE FROM heads WHERE repository = ? AND branch = ?'),
    selectQueuedRun: db.prepare(
      "SELECT id FROM runs WHERE unit = ? AND status = 'queued' ORDER BY seq DESC LIMIT 1",
    ),
    insertRun: db.prepare(
      `INSERT INTO runs (id, unit, trigger, status, created_at, attempts, seq)
       VALUES (@id, @unit, @trigger, 'queued', @createdAt, 0, (SELECT coalesce(max(seq), 0) + 1 FROM runs))`,
    ),
    selectSameJob: db.prepare('SELECT id FROM jobs WHERE run_id = ? AND repository = ? AND branch = ?'),
    updateJobSha: db.prepare('UPDATE jobs SET sha = ? WHERE id = ?'),
    insertJob: db.prepare(
      `INSERT INTO jobs (id, run_id, position, repository, branch, sha, previous_sha, status)
       VALUES (@id, @runId, (SELECT coalesce(max(position), -1) + 1 FROM jobs WHERE run_id = @runId),
               @repository, @branch, @sha, @previousSha, 'queued')`,
    ),
    selectRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
    selectJobsOfRun: db.prepare('SELECT * FROM jobs WHERE run_id = ? ORDER BY position'),
    selectJobsOfRuns: db.prepare(
      'SELECT * FROM jobs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, position',
    ),
    selectUnfinishedRunIds: db.prepare("SELECT id FROM runs WHERE status IN ('queued', 'running')"),
    selectRunsByIdOldestFirst: db.prepare(
      'SELECT * FROM runs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY created_at, seq',
    ),
    // Only a run that had started was interrupted; a queued one simply waits again.
    requeueRuns: db.prepare(
      `UPDATE runs SET attempts = attempts + (status = 'running'), status = 'queued', started_at = NULL
       WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    requeueJobs: db.prepare(
      `UPDATE jobs SET status = 'queued', started_at = NULL
       WHERE status = 'running' AND run_id IN (SELECT value FROM json_each(?))`,
    ),
    failRuns: db.prepare(
      `UPDATE runs SET status = 'failed', error = ?, finished_at = ?
       WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    cancelJobs: db.prepare(
      `UPDATE jobs SET status = 'cancelled', error = ?, finished_at = ?
       WHERE status IN ('queued', 'running') AND run_id IN (SELECT value FROM json_each(?))`,
    ),
  };
}

function invalidRunError(runId: string, reason: string, cause?: unknown): SentryError {
  return new SentryError('STATE_INVALID_RUN', `Cannot record run "${runId}": ${reason}.`, {
    details: { runId },
    cause,
  });
}

function wholeOr(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));
}
