import { SentryError } from '@sentry-git/core';
import type { PoolClient } from 'pg';

/**
 * Schema steps, in order: step `i` takes the stored version from `i` to `i + 1`. Append new
 * steps, never edit shipped ones: a database has already run them. The columns follow the SQLite
 * store's (times as ISO 8601 text, a handle as JSON text), so both keep the same records.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE repositories (
    name TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
  );

  CREATE TABLE heads (
    repository TEXT NOT NULL,
    branch TEXT NOT NULL,
    sha TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deployed_sha TEXT,
    PRIMARY KEY (repository, branch)
  );

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
    -- Insertion order: the queue order after created_at.
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
  );
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
    duration_ms BIGINT,
    output TEXT NOT NULL DEFAULT '',
    error TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    handle TEXT,
    UNIQUE (run_id, repository, branch),
    UNIQUE (run_id, position)
  );
  CREATE INDEX jobs_repository ON jobs (repository, run_id);

  CREATE TABLE poll_failures (
    repository TEXT PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    last_error_at TEXT NOT NULL,
    failing_since TEXT NOT NULL
  );

  -- Who holds the engine lock (the lock itself is a session advisory lock): for ENGINE_LOCKED.
  CREATE TABLE engine_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    owner TEXT NOT NULL,
    acquired_at TEXT NOT NULL
  );
  `,
  // Several replicas on one database (core's Coordination). Lease times are the server's clock.
  `
  -- The replicas that renewed their registration lately (the fair share of polls counts them).
  CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
  );

  -- Which replica polls a repository, until when.
  CREATE TABLE poll_leases (
    repository TEXT PRIMARY KEY,
    replica TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX poll_leases_replica ON poll_leases (replica);

  -- Which replica runs a unit's runs now (null: nobody). The epoch grows with every claim: a
  -- write carrying an older one comes from a replica that lost the unit, and is refused.
  CREATE TABLE run_claims (
    unit TEXT PRIMARY KEY,
    replica TEXT,
    epoch BIGINT NOT NULL DEFAULT 0,
    run_id TEXT,
    expires_at TIMESTAMPTZ
  );
  `,
  // The operator's controls.
  `
  -- Who asked for a run (a trigger, re-run or deploy; null for polls and webhooks), and a request
  -- to cancel it while it runs (JSON: by, at, reason), which the replica running it acts on.
  ALTER TABLE runs ADD COLUMN requested_by TEXT;
  ALTER TABLE runs ADD COLUMN cancel_request TEXT;

  -- Units held from deploying: their changes are recorded, no replica starts a queued run of them.
  CREATE TABLE pauses (
    unit TEXT PRIMARY KEY,
    paused_by TEXT NOT NULL,
    paused_at TEXT NOT NULL,
    reason TEXT
  );
  `,
];

/** The schema version this build of the store writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Key of the transaction-level advisory lock that lets one process migrate at a time. */
const MIGRATION_LOCK = 'sentry-git:migrate';

/**
 * Brings the database to `SCHEMA_VERSION` in one transaction, holding an advisory lock so that
 * replicas starting together migrate one after the other. Refuses a database written by a newer
 * version: an old build could misread or damage data it does not know.
 */
export async function migrate(client: PoolClient, where: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS sentry_git_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM sentry_git_schema');
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new SentryError(
        'STATE_SCHEMA_TOO_NEW',
        `The PostgreSQL database at ${where} has schema version ${current}; this sentry-git writes ${SCHEMA_VERSION}.`,
        { fix: 'run a sentry-git at least as new as the one that last wrote this database.' },
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version += 1) {
      await client.query(MIGRATIONS[version]!);
    }
    if (rows.length === 0)
      await client.query('INSERT INTO sentry_git_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
    else if (current !== SCHEMA_VERSION)
      await client.query('UPDATE sentry_git_schema SET version = $1', [SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
