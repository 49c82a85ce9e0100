import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, isSentryError, SentryError } from '@sentry-git/core';
import type Database from 'better-sqlite3';
import { sqliteDriver } from './driver.js';
import { assertSupportedVersion, migrate } from './migrations.js';

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
export const IN_MEMORY = ':memory:';

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

/** Checks the options, then opens (and migrates) the database they name. */
export function openSqliteFile(options: SqliteStateStoreOptions): { db: Database.Database; file: string } {
  const file = resolveFile(options);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new SentryError(
      'STATE_OPTION_INVALID',
      `busyTimeoutMs must be a whole number of milliseconds ≥ 0, got ${busyTimeoutMs}.`,
      { path: 'busyTimeoutMs' },
    );
  }
  return { db: openDatabase(file, busyTimeoutMs), file };
}
