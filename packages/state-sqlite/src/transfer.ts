import {
  checkStateRecords,
  type ImportStateOptions,
  type ImportStateResult,
  isEmptyState,
  type StateRecord,
  type StateStore,
  stateNotEmptyError,
} from '@sentry-git/core';
import {
  COUNT_STATE_SQL,
  type CountsRow,
  countsFromRow,
  type HeadRow,
  headRecordFromRow,
  headRowOf,
  type JobRow,
  jobToRow,
  type PauseRow,
  type PollFailureRow,
  pauseRecordFromRow,
  pauseRowOf,
  pollFailureRowOf,
  pollHealthRecordFromRow,
  type RepositoryRow,
  type RunRow,
  repositoryRecordFromRow,
  runsWithJobs,
  runToRow,
  STATE_TABLES,
} from '@sentry-git/core/internal';
import type Database from 'better-sqlite3';
import { sqliteDriver } from './driver.js';
import { IN_MEMORY } from './open.js';
import type { Statements } from './statements.js';

/** Rows read per statement while exporting: memory stays flat, whatever the size of the store. */
const PAGE_SIZE = 500;

/** How long the export's own connection waits for a lock (it reads only, in WAL mode it rarely waits). */
const READ_BUSY_TIMEOUT_MS = 5000;

export interface SqliteTransferInput {
  db: Database.Database;
  file: string;
  sql: Statements;
  assertOpen(): void;
}

type Transfer = Required<Pick<StateStore, 'exportState' | 'importState'>>;

/** `exportState` and `importState` of the SQLite store. */
export function sqliteTransfer({ db, file, sql, assertOpen }: SqliteTransferInput): Transfer {
  return {
    async *exportState(): AsyncGenerator<StateRecord> {
      assertOpen();
      if (file === IN_MEMORY) {
        // Only this connection reaches a :memory: database, and reads are synchronous: read all
        // of it at once, which is a snapshot whatever the caller writes while it iterates.
        for (const page of [...pagesOf(db)]) yield* page;
        return;
      }
      // A read-only connection of its own, in one read transaction: a snapshot of the file
      // (WAL: writers go on meanwhile), read page by page as the caller iterates, while the
      // store's connection stays free for the engine's writes.
      const Driver = sqliteDriver();
      const reader = new Driver(file, { readonly: true, fileMustExist: true, timeout: READ_BUSY_TIMEOUT_MS });
      try {
        reader.exec('BEGIN');
        for (const page of pagesOf(reader)) yield* page;
        reader.exec('COMMIT');
      } finally {
        reader.close();
      }
    },

    async importState(
      records: AsyncIterable<StateRecord> | Iterable<StateRecord>,
      options: ImportStateOptions = {},
    ): Promise<ImportStateResult> {
      assertOpen();
      // Held across the awaits of an async input: IMMEDIATE takes the write lock now, so no other
      // process writes between the check for state and the commit.
      db.exec('BEGIN IMMEDIATE');
      try {
        const held = countsFromRow(db.prepare(COUNT_STATE_SQL).get() as CountsRow);
        const replaced = isEmptyState(held) ? null : held;
        if (replaced) {
          if (!options.replace) throw stateNotEmptyError(`SQLite ${file}`, replaced);
          for (const table of STATE_TABLES) db.exec(`DELETE FROM ${table}`);
        }
        const write = writer(db, sql);
        const checked = checkStateRecords(records);
        let next = await checked.next();
        for (; !next.done; next = await checked.next()) write(next.value);
        db.exec('COMMIT');
        return { imported: next.value, replaced };
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}

/** Writes one record, in the caller's transaction. */
function writer(db: Database.Database, sql: Statements): (record: StateRecord) => void {
  const insertRepository = db.prepare('INSERT INTO repositories (name, seen_at) VALUES (?, ?)');
  const insertHead = db.prepare(
    `INSERT INTO heads (repository, branch, sha, updated_at, deployed_sha)
     VALUES (@repository, @branch, @sha, @updated_at, @deployed_sha)`,
  );
  const insertPollFailure = db.prepare(
    `INSERT INTO poll_failures (repository, consecutive_failures, last_error, last_error_at, failing_since)
     VALUES (@repository, @consecutive_failures, @last_error, @last_error_at, @failing_since)`,
  );
  const insertPause = db.prepare(
    'INSERT INTO pauses (unit, paused_by, paused_at, reason) VALUES (@unit, @paused_by, @paused_at, @reason)',
  );
  return (record) => {
    if (record.type === 'repository') insertRepository.run(record.name, record.seenAt);
    else if (record.type === 'head') insertHead.run(headRowOf(record));
    else if (record.type === 'pollHealth') insertPollFailure.run(pollFailureRowOf(record));
    else if (record.type === 'pause') insertPause.run(pauseRowOf(record));
    else {
      // insertRun numbers runs in the order they come: the export's queue order stays the queue order.
      sql.insertRun.run(runToRow(record));
      for (const job of record.jobs) sql.insertJob.run(jobToRow(job));
    }
  };
}

/**
 * The records of the database behind `conn`, a page at a time, in export order: each table is
 * walked by its key (a page starts after the last key of the one before), so no page is read twice
 * and none is skipped.
 */
function* pagesOf(conn: Database.Database): Generator<StateRecord[]> {
  yield* keyset<RepositoryRow>(conn, 'SELECT * FROM repositories', ['name'], (rows) =>
    rows.map(repositoryRecordFromRow),
  );
  yield* keyset<HeadRow>(conn, 'SELECT * FROM heads', ['repository', 'branch'], (rows) =>
    rows.map(headRecordFromRow),
  );
  yield* keyset<PollFailureRow>(conn, 'SELECT * FROM poll_failures', ['repository'], (rows) =>
    rows.map(pollHealthRecordFromRow),
  );
  yield* keyset<PauseRow>(conn, 'SELECT * FROM pauses', ['unit'], (rows) => rows.map(pauseRecordFromRow));
  const jobsOf = conn.prepare(
    'SELECT * FROM jobs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, position',
  );
  yield* keyset<RunRow>(conn, 'SELECT * FROM runs', ['created_at', 'seq'], (rows) =>
    runsWithJobs(rows, jobsOf.all(JSON.stringify(rows.map((row) => row.id))) as JobRow[]).map((run) => ({
      type: 'run' as const,
      ...run,
    })),
  );
}

/** `select` ordered by `key` (ascending, unique), read PAGE_SIZE rows at a time and turned into records. */
function* keyset<Row>(
  conn: Database.Database,
  select: string,
  key: readonly (keyof Row & string)[],
  toRecords: (rows: Row[]) => StateRecord[],
): Generator<StateRecord[]> {
  const order = `ORDER BY ${key.join(', ')} LIMIT ${PAGE_SIZE}`;
  const first = conn.prepare(`${select} ${order}`);
  const after = conn.prepare(
    `${select} WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')}) ${order}`,
  );
  let rows = first.all() as Row[];
  while (rows.length > 0) {
    yield toRecords(rows);
    if (rows.length < PAGE_SIZE) return;
    const last = rows[rows.length - 1]!;
    rows = after.all(...key.map((column) => last[column])) as Row[];
  }
}
