import { describeStateStore } from '@sentry-git/core/testing';
import { type PostgresCluster, startPostgres } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStateStore, SCHEMA_VERSION } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';

// One cluster for the file; each store the suite creates gets a database of its own, and
// `reopen` opens the database the last `create` made.
let cluster: PostgresCluster;
let databases = 0;
let lastUrl = '';
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

describeStateStore({
  name: 'postgres',
  async create() {
    databases += 1;
    lastUrl = await cluster.createDatabase(`state_${databases}`);
    return createPostgresStateStore({ url: lastUrl });
  },
  reopen: () => createPostgresStateStore({ url: lastUrl }),
  // Every lease of the last database made ends now.
  async lapse() {
    const database = `state_${databases}`;
    await cluster.sql(
      `UPDATE replicas SET expires_at = now() - interval '1 second';
       UPDATE poll_leases SET expires_at = now() - interval '1 second';
       UPDATE run_claims SET expires_at = now() - interval '1 second' WHERE expires_at IS NOT NULL;`,
      database,
    );
  },
});

describe('postgres state store', () => {
  it('needs a postgres:// url, and never prints its password', async () => {
    await expect(createPostgresStateStore({ url: '' })).rejects.toMatchObject({
      code: 'STATE_OPTION_MISSING',
    });
    const invalid = await createPostgresStateStore({ url: 'mysql://app:s3cr3t-pw@db/app' }).catch(
      (e: unknown) => e,
    );
    expect(invalid).toMatchObject({ code: 'STATE_OPTION_INVALID' });
    expect(String((invalid as Error).message)).not.toContain('s3cr3t-pw');
  });

  it('fails to open with STATE_OPEN_FAILED when no server answers, without the password', async () => {
    const missing = `postgres://app:s3cr3t-pw@/app?host=${encodeURIComponent(cluster.host)}-gone&port=5432`;
    const error = await createPostgresStateStore({ url: missing }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_OPEN_FAILED' });
    expect(String((error as Error).message)).not.toContain('s3cr3t-pw');
    // A socket URL (an empty host) is named as written, user, database and socket folder.
    expect(String((error as Error).message)).toContain(
      `PostgreSQL state store at postgres://app@/app?host=${cluster.host}-gone:`,
    );
  });

  it('keeps output holding a NUL character (binary output), as U+FFFD', async () => {
    const store = await createPostgresStateStore({ url: await cluster.createDatabase('nul_output') });
    try {
      const { run } = await store.recordDetection({
        repositories: ['app'],
        changes: [
          { repository: 'app', branch: 'main', before: null, after: 'a'.repeat(40), kind: 'created' },
        ],
        run: {
          id: 'run-1',
          unit: 'repository:app',
          trigger: 'poll',
          createdAt: new Date().toISOString(),
          jobs: [{ id: 'job-1', repository: 'app', branch: 'main', sha: 'a'.repeat(40), previousSha: null }],
        },
      });
      await store.updateJob(run!.jobs[0]!.id, { output: 'bin\0ary', error: 'exit\0' });
      expect((await store.getRun('run-1'))?.jobs[0]).toMatchObject({
        output: 'bin\uFFFDary',
        error: 'exit\uFFFD',
      });
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const url = await cluster.createDatabase('newer_schema');
    await (await createPostgresStateStore({ url })).close();
    await cluster.sql(`UPDATE sentry_git_schema SET version = ${SCHEMA_VERSION + 1}`, 'newer_schema');
    await expect(createPostgresStateStore({ url })).rejects.toMatchObject({ code: 'STATE_SCHEMA_TOO_NEW' });
  });

  it('opens a database of the schema before the operator controls: its runs were asked for and cancelled by nobody', async () => {
    const url = await cluster.createDatabase('before_controls');
    await cluster.sql(
      `${MIGRATIONS.slice(0, 2).join('\n')}
       CREATE TABLE sentry_git_schema (version INTEGER NOT NULL);
       INSERT INTO sentry_git_schema (version) VALUES (2);
       INSERT INTO runs (id, unit, trigger, status, created_at, started_at)
         VALUES ('run-1', 'repository:a', 'manual', 'running', '2024-01-01T00:00:01.000Z', '2024-01-01T00:00:02.000Z');`,
      'before_controls',
    );
    const store = await createPostgresStateStore({ url });
    try {
      expect(await cluster.sql('SELECT version FROM sentry_git_schema', 'before_controls')).toBe(
        String(SCHEMA_VERSION),
      );
      await expect(store.getRun('run-1')).resolves.toMatchObject({ requestedBy: null, cancelRequest: null });
      const request = { by: 'ops', at: '2024-01-01T00:00:03.000Z', reason: 'bin\0ary' };
      await expect(store.cancelRun('run-1', request)).resolves.toMatchObject({
        outcome: 'requested',
        run: { status: 'running', cancelRequest: request },
      });
      // PostgreSQL text holds no NUL: a pause's reason keeps U+FFFD instead, as job output does.
      await store.setPause('repository:a', request);
      await expect(store.listPauses()).resolves.toEqual([
        { unit: 'repository:a', ...request, reason: 'bin\uFFFDary' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('migrates once when several processes open a new database together', async () => {
    const url = await cluster.createDatabase('opened_together');
    const stores = await Promise.all(Array.from({ length: 4 }, () => createPostgresStateStore({ url })));
    for (const store of stores) await store.close();
    expect(await cluster.sql('SELECT version FROM sentry_git_schema', 'opened_together')).toBe(
      String(SCHEMA_VERSION),
    );
  });

  it('lets one engine hold the lock, names it to the next, and frees it when its connection dies', async () => {
    const url = await cluster.createDatabase('engine_lock');
    const first = await createPostgresStateStore({ url });
    const second = await createPostgresStateStore({ url });
    try {
      const release = await first.acquireEngineLock!('watch');
      const refused = await second.acquireEngineLock!('trigger').catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'ENGINE_LOCKED' });
      // Both stores are in this process: the holder is named as such.
      expect((refused as Error).message).toContain('another engine in this process (watch on ');
      await release();
      const again = await second.acquireEngineLock!('trigger');
      // The holder's connection ends (a replica killed, a dropped network): the lock is free.
      await cluster.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted",
        'engine_lock',
      );
      // pg_terminate_backend only signals: the lock goes when the backend has exited.
      while (
        (
          await cluster.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", 'engine_lock')
        ).trim() !== '0'
      );
      await expect(first.acquireEngineLock!('watch')).resolves.toBeTypeOf('function');
      await again();
    } finally {
      await first.close();
      await second.close();
    }
  });
});
