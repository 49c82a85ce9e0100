import { SentryError } from '@sentry-git/core';
import type Database from 'better-sqlite3';

/**
 * Schema steps, in order: step `i` takes `PRAGMA user_version` from `i` to `i + 1`. Append new
 * steps, never edit shipped ones: a database on disk has already run them.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE repositories (
    name TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE heads (
    repository TEXT NOT NULL,
    branch TEXT NOT NULL,
    sha TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (repository, branch)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL UNIQUE
  ) STRICT;

  -- listRuns: newest first; recordDetection: the unit's queued run; recovery: unfinished runs.
  CREATE INDEX runs_created ON runs (created_at DESC, seq DESC);
  CREATE INDEX runs_unit_status ON runs (unit, status, seq);
  CREATE INDEX runs_status ON runs (status);

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    repository TEXT NOT NULL,
    branch TEXT NOT NULL,
    sha TEXT NOT NULL,
    previous_sha TEXT,
    status TEXT NOT NULL,
    exit_code INTEGER,
    started_at TEXT,
    finished_at TEXT,
    duration_ms INTEGER,
    output TEXT NOT NULL DEFAULT '',
    error TEXT,
    -- A run deploys each repository branch once; merging relies on it.
    UNIQUE (run_id, repository, branch),
    UNIQUE (run_id, position)
  ) STRICT;

  -- listRuns({ repository }).
  CREATE INDEX jobs_repository ON jobs (repository, run_id);
  `,
  `
  -- What path filters compare against: the last deployed commit of a branch (or its baseline).
  ALTER TABLE heads ADD COLUMN deployed_sha TEXT;
  UPDATE heads SET deployed_sha = sha;
  `,
  `
  -- Repositories whose polls fail, for \`sentry-git status\` without an engine. A repository that
  -- polls fine has no row: a successful poll writes nothing, the first one after failures deletes it.
  CREATE TABLE poll_failures (
    repository TEXT PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    last_error_at TEXT NOT NULL,
    failing_since TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- Which work a crash repeats: how many times a job was started, and the executor's handle on
  -- what it started (JSON), so recovery can adopt it. A job that had started before this step
  -- counts as started once.
  ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN handle TEXT;
  UPDATE jobs SET attempt = 1
    WHERE status IN ('running', 'succeeded', 'failed', 'timed_out')
       OR (status = 'cancelled' AND started_at IS NOT NULL);
  `,
  `
  -- Who asked for a run (a trigger, re-run or deploy; null for polls and webhooks), and a request
  -- to cancel it while it runs (JSON: by, at, reason), which the engine running it acts on.
  ALTER TABLE runs ADD COLUMN requested_by TEXT;
  ALTER TABLE runs ADD COLUMN cancel_request TEXT;

  -- Units held from deploying: their changes are recorded, no run of them starts until resumed.
  CREATE TABLE pauses (
    unit TEXT PRIMARY KEY,
    paused_by TEXT NOT NULL,
    paused_at TEXT NOT NULL,
    reason TEXT
  ) STRICT, WITHOUT ROWID;
  `,
];

/** The schema version this build of the store writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to `SCHEMA_VERSION`, one transaction per step, so a failed step leaves
 * the previous version intact. Refuses a database written by a newer version: running an old
 * build against it could misread or damage data it does not know.
 */
export function migrate(db: Database.Database, file: string): void {
  assertSupportedVersion(db, file);
  for (let version = userVersion(db); version < SCHEMA_VERSION; version = userVersion(db)) {
    // IMMEDIATE takes the write lock first, so two processes starting together cannot both
    // run the same step; the second one re-reads the version and finds nothing to do.
    db.transaction(() => {
      const current = userVersion(db);
      if (current !== version) return;
      db.exec(MIGRATIONS[current] ?? '');
      db.pragma(`user_version = ${current + 1}`);
    }).immediate();
  }
  assertSupportedVersion(db, file);
}

function userVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

export function assertSupportedVersion(db: Database.Database, file: string): void {
  const version = userVersion(db);
  if (version <= SCHEMA_VERSION) return;
  throw new SentryError(
    'STATE_SCHEMA_TOO_NEW',
    `The state database ${file} has schema version ${version}, newer than the ${SCHEMA_VERSION} this @sentry-git/state-sqlite understands.`,
    {
      fix: 'Upgrade @sentry-git/state-sqlite (and sentry-git) to the version that wrote it, or point `state.path` at another file.',
      path: file,
      details: { version, supported: SCHEMA_VERSION },
    },
  );
}
