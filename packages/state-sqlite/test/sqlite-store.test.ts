import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { HeadRecord, StateStore } from '@sentry-git/core';
import { describeStateStore } from '@sentry-git/core/testing';
import { tempdir } from '@sentry-git/test-utils';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import plugin, { createSqliteStateStore, SCHEMA_VERSION, sqliteStateStore } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';

// The conformance suite on a real file: `reopen` opens the file the last `create` made.
let lastFile = '';
describeStateStore({
  name: 'sqlite',
  async create() {
    lastFile = path.join(await tempdir('sentry-git-sqlite-'), 'state.db');
    return createSqliteStateStore({ path: lastFile });
  },
  reopen: () => createSqliteStateStore({ path: lastFile }),
});

const sha = (n: number) => n.toString(16).padStart(40, '0');

describe('sqlite state store', () => {
  const open: StateStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });

  async function freshFile(): Promise<string> {
    return path.join(await tempdir('sentry-git-sqlite-'), 'nested', 'state.db');
  }

  function track(store: StateStore): StateStore {
    open.push(store);
    return store;
  }

  /** Reads the file with a second connection, as another process would. */
  function inspect<T>(file: string, read: (db: Database.Database) => T): T {
    const db = new Database(file, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  it('creates missing parent folders and turns on WAL', async () => {
    const file = await freshFile();
    track(createSqliteStateStore({ path: file }));
    expect(existsSync(file)).toBe(true);
    expect(inspect(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('records the schema version in user_version', async () => {
    const file = await freshFile();
    const store = createSqliteStateStore({ path: file });
    await store.close();
    expect(SCHEMA_VERSION).toBeGreaterThan(0);
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    const tables = inspect(file, (db) =>
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
          name: string;
        }[]
      ).map((row) => row.name),
    );
    expect(tables).toEqual(['heads', 'jobs', 'pauses', 'poll_failures', 'repositories', 'runs']);
    // Reopening an up-to-date file migrates nothing and keeps the version.
    await createSqliteStateStore({ path: file }).close();
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
  });

  it('opens a state file of the previous schema (before poll health), keeps its data and records failures', async () => {
    const file = await freshFile();
    // The file as the previous release left it: its migrations only, then a baseline and a run.
    mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    for (const step of MIGRATIONS.slice(0, 2)) old.exec(step);
    old.pragma('user_version = 2');
    old.prepare("INSERT INTO repositories (name, seen_at) VALUES ('api', '2024-01-01T00:00:00.000Z')").run();
    old
      .prepare(
        "INSERT INTO heads (repository, branch, sha, updated_at, deployed_sha) VALUES ('api', 'main', ?, '2024-01-01T00:00:00.000Z', ?)",
      )
      .run(sha(1), sha(1));
    old
      .prepare(
        "INSERT INTO runs (id, unit, trigger, status, created_at, attempts, seq) VALUES ('run-1', 'repository:api', 'poll', 'succeeded', '2024-01-01T00:00:01.000Z', 0, 1)",
      )
      .run();
    old.close();

    const store = track(createSqliteStateStore({ path: file }));
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    await expect(store.getHeads('api')).resolves.toMatchObject({
      seen: true,
      heads: [{ branch: 'main', sha: sha(1), deployedSha: sha(1) }],
    });
    expect((await store.listRuns()).map((run) => [run.id, run.status])).toEqual([['run-1', 'succeeded']]);
    await expect(store.getPollHealth('api')).resolves.toEqual({
      consecutiveFailures: 0,
      lastError: null,
      lastErrorAt: null,
      failingSince: null,
    });
    await store.recordPollFailure('api', { error: 'host down', at: '2024-01-01T00:01:00.000Z' });
    await expect(store.getPollHealth('api')).resolves.toMatchObject({ consecutiveFailures: 1 });
  });

  it('opens a state file of the schema before job attempts and handles: started jobs count one attempt, a running one is adopted after recovery', async () => {
    const file = await freshFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    for (const step of MIGRATIONS.slice(0, 3)) old.exec(step);
    old.pragma('user_version = 3');
    old
      .prepare(
        "INSERT INTO runs (id, unit, trigger, status, created_at, started_at, attempts, seq) VALUES ('run-1', 'group:all', 'poll', 'running', '2024-01-01T00:00:01.000Z', '2024-01-01T00:00:02.000Z', 0, 1)",
      )
      .run();
    const insertJob = old.prepare(
      "INSERT INTO jobs (id, run_id, position, repository, branch, sha, status, started_at) VALUES (?, 'run-1', ?, ?, 'main', ?, ?, ?)",
    );
    insertJob.run('done', 0, 'a', sha(1), 'succeeded', '2024-01-01T00:00:02.000Z');
    insertJob.run('busy', 1, 'b', sha(2), 'running', '2024-01-01T00:00:03.000Z');
    insertJob.run('skipped', 2, 'c', sha(3), 'skipped', '2024-01-01T00:00:03.000Z');
    insertJob.run('stopped', 3, 'd', sha(4), 'cancelled', null);
    insertJob.run('wait', 4, 'e', sha(5), 'queued', null);
    old.close();

    const store = track(createSqliteStateStore({ path: file }));
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    const { requeued } = await store.recoverInterrupted();
    expect(requeued[0]?.jobs.map((j) => [j.id, j.status, j.attempt, j.handle])).toEqual([
      ['done', 'succeeded', 1, null],
      ['busy', 'queued', 1, null],
      ['skipped', 'skipped', 0, null],
      ['stopped', 'cancelled', 0, null],
      ['wait', 'queued', 0, null],
    ]);
  });

  it('opens a state file of the schema before the operator controls: its runs were asked for and cancelled by nobody', async () => {
    const file = await freshFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    for (const step of MIGRATIONS.slice(0, 4)) old.exec(step);
    old.pragma('user_version = 4');
    old
      .prepare(
        "INSERT INTO runs (id, unit, trigger, status, created_at, started_at, attempts, seq) VALUES ('run-1', 'repository:a', 'manual', 'running', '2024-01-01T00:00:01.000Z', '2024-01-01T00:00:02.000Z', 0, 1)",
      )
      .run();
    old.close();

    const store = track(createSqliteStateStore({ path: file }));
    expect(inspect(file, (db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    await expect(store.getRun('run-1')).resolves.toMatchObject({ requestedBy: null, cancelRequest: null });
    const request = { by: 'ops', at: '2024-01-01T00:00:03.000Z', reason: null };
    await expect(store.cancelRun('run-1', request)).resolves.toMatchObject({
      outcome: 'requested',
      run: { status: 'running', cancelRequest: request },
    });
    await store.setPause('repository:a', request);
    await expect(store.listPauses()).resolves.toEqual([{ unit: 'repository:a', ...request }]);
  });

  it('refuses a database from a newer version with STATE_SCHEMA_TOO_NEW, without touching it', async () => {
    const file = await freshFile();
    await createSqliteStateStore({ path: file }).close();
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => createSqliteStateStore({ path: file })).toThrow(
      expect.objectContaining({ code: 'STATE_SCHEMA_TOO_NEW' }),
    );
    expect(inspect(file, (check) => check.pragma('journal_mode', { simple: true }))).toBe('delete');
  });

  it('wraps a file that is not a database in STATE_OPEN_FAILED', async () => {
    const file = await freshFile();
    await createSqliteStateStore({ path: file }).close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, 'not a database, just text '.repeat(100));
    expect(() => createSqliteStateStore({ path: file })).toThrow(
      expect.objectContaining({ code: 'STATE_OPEN_FAILED' }),
    );
  });

  it('reads heads without a second copy of a deployed SHA or of the repository name', async () => {
    // The engine keeps every head it read for the life of the process (its head cache): a
    // deployed commit equal to the head's commit must be the same string, not a copy per column.
    setFlagsFromString('--allow-natives-syntax');
    const sameString = new Function('a', 'b', 'return %IsSameHeapObject(a, b)') as (
      a: unknown,
      b: unknown,
    ) => boolean;
    const store = track(createSqliteStateStore({ path: await freshFile() }));
    await store.recordDetection({
      repositories: ['api'],
      changes: [
        { repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' },
        { repository: 'api', branch: 'next', before: null, after: sha(2), kind: 'created' },
      ],
    });
    const repository = ['a', 'p', 'i'].join('');
    const { heads } = await store.getHeads(repository);
    const [main, next] = heads as [HeadRecord, HeadRecord];
    expect(main).toMatchObject({ branch: 'main', sha: sha(1), deployedSha: sha(1) });
    expect(sameString(main.deployedSha, main.sha)).toBe(true);
    expect(sameString(main.repository, repository)).toBe(true);
    expect(next).toMatchObject({ branch: 'next', sha: sha(2), deployedSha: null });
  });

  it('rolls back the whole detection when a write fails half-way through the plan', async () => {
    const file = await freshFile();
    const store = track(createSqliteStateStore({ path: file }));
    await store.recordDetection({
      repositories: ['api'],
      changes: [{ repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' }],
    });
    // The disk "fills up" at the second job: the heads, the run and the first job are written by then.
    const writer = new Database(file);
    writer
      .prepare(
        "CREATE TRIGGER disk_full BEFORE INSERT ON jobs WHEN NEW.repository = 'web' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
      )
      .run();
    writer.close();
    const failing = store.recordDetection({
      repositories: ['api', 'web'],
      changes: [
        { repository: 'api', branch: 'main', before: sha(1), after: sha(2), kind: 'updated' },
        { repository: 'web', branch: 'main', before: null, after: sha(3), kind: 'created' },
      ],
      run: {
        id: 'run-1',
        unit: 'group:all',
        trigger: 'poll',
        createdAt: new Date().toISOString(),
        jobs: [
          { id: 'job-api', repository: 'api', branch: 'main', sha: sha(2), previousSha: sha(1) },
          { id: 'job-web', repository: 'web', branch: 'main', sha: sha(3), previousSha: null },
        ],
      },
    });
    await expect(failing).rejects.toThrow('database or disk is full');

    await expect(store.getHeads('api')).resolves.toMatchObject({
      seen: true,
      heads: [{ branch: 'main', sha: sha(1) }],
    });
    await expect(store.getHeads('web')).resolves.toEqual({ seen: false, heads: [] });
    const counts = inspect(file, (db) => ({
      runs: db.prepare('SELECT count(*) AS n FROM runs').get(),
      jobs: db.prepare('SELECT count(*) AS n FROM jobs').get(),
      repositories: db.prepare('SELECT count(*) AS n FROM repositories').get(),
    }));
    expect(counts).toEqual({ runs: { n: 0 }, jobs: { n: 0 }, repositories: { n: 1 } });
  });

  it('makes a committed detection visible to another connection at once', async () => {
    const file = await freshFile();
    const store = track(createSqliteStateStore({ path: file }));
    await store.recordDetection({
      repositories: ['api'],
      changes: [{ repository: 'api', branch: 'main', before: null, after: sha(7), kind: 'created' }],
      run: {
        id: 'run-1',
        unit: 'repository:api',
        trigger: 'poll',
        createdAt: new Date().toISOString(),
        jobs: [{ id: 'job-1', repository: 'api', branch: 'main', sha: sha(7), previousSha: null }],
      },
    });
    const row = inspect(file, (db) => db.prepare('SELECT status FROM runs WHERE id = ?').get('run-1'));
    expect(row).toEqual({ status: 'queued' });
  });

  it('resolves a relative path against configDir', async () => {
    const dir = await tempdir('sentry-git-sqlite-');
    track(createSqliteStateStore({ path: 'data/state.db', configDir: dir }));
    expect(existsSync(path.join(dir, 'data', 'state.db'))).toBe(true);
  });

  it('accepts :memory:', async () => {
    const store = track(createSqliteStateStore({ path: ':memory:' }));
    await store.recordDetection({ repositories: ['api'], changes: [] });
    await expect(store.getHeads('api')).resolves.toEqual({ seen: true, heads: [] });
  });

  it('requires the path option with STATE_OPTION_MISSING naming it', () => {
    const missing = expect.objectContaining({ code: 'STATE_OPTION_MISSING', path: 'path' });
    expect(() => createSqliteStateStore({} as never)).toThrow(missing);
    expect(() => createSqliteStateStore({ path: '' })).toThrow(missing);
    expect(() => createSqliteStateStore(undefined as never)).toThrow(/`path`/);
  });

  it('rejects a negative busyTimeoutMs', () => {
    expect(() => createSqliteStateStore({ path: ':memory:', busyTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'STATE_OPTION_INVALID' }),
    );
  });

  it('rejects calls after close with STATE_CLOSED', async () => {
    const store = createSqliteStateStore({ path: ':memory:' });
    await store.close();
    await expect(store.getHeads('api')).rejects.toMatchObject({ code: 'STATE_CLOSED' });
  });

  describe('factory and plugin', () => {
    it('defaults to <configDir>/.sentry-git/state.db', async () => {
      const dir = await tempdir('sentry-git-sqlite-');
      const store = track(await sqliteStateStore.create({ configDir: dir }));
      expect(store.id).toBe('sqlite');
      expect(store.capabilities).toEqual({ durable: true });
      expect(existsSync(path.join(dir, '.sentry-git', 'state.db'))).toBe(true);
    });

    it('uses state.path, relative to the config folder', async () => {
      const dir = await tempdir('sentry-git-sqlite-');
      track(await sqliteStateStore.create({ configDir: dir, path: 'var/sentry.db' }));
      expect(existsSync(path.join(dir, 'var', 'sentry.db'))).toBe(true);
      expect(existsSync(path.join(dir, '.sentry-git'))).toBe(false);
    });

    it('is registered by the default export', () => {
      expect(plugin.name).toBe('@sentry-git/state-sqlite');
      expect(plugin.stateStores).toEqual([sqliteStateStore]);
      expect(sqliteStateStore.id).toBe('sqlite');
    });
  });
});
