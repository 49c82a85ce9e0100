import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextEvent } from '@sentry-git/core/testing';
import { createSqliteStateStore } from '@sentry-git/state-sqlite';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it, onTestFinished } from 'vitest';
import { call, engine, serve, shellRepository } from './helpers.js';

// better-sqlite3 is state-sqlite's dependency: the second connection uses the same driver.
const stateSqliteDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../state-sqlite');
const Database = createRequire(path.join(stateSqliteDir, 'package.json'))('better-sqlite3') as new (
  file: string,
) => { exec(sql: string): void; close(): void };

async function metric(url: string, name: string): Promise<number | undefined> {
  const families = parsePrometheusTextFormat((await call(`${url}/metrics`)).text);
  const family = families.find((candidate) => candidate.name === name);
  const sample = family?.metrics[0] as { value?: string } | undefined;
  return sample?.value === undefined ? undefined : Number(sample.value);
}

describe('a state store that cannot write', () => {
  it('/readyz answers 503 with the reason and the metrics count it until a write succeeds again', async () => {
    const dir = await tempdir();
    const file = path.join(dir, 'state.db');
    const repo = await gitdir({ branches: ['main'] });
    await repo.commit('main');
    // No busy wait: a write the other connection's lock blocks fails at once with SQLITE_BUSY.
    const store = createSqliteStateStore({ path: file, busyTimeoutMs: 0 });
    const sentry = await engine(
      { polling_interval: 3600, repositories: [shellRepository('app', repo.bare, path.join(dir, 'log'))] },
      { stateStore: store, dir },
    );
    const { url } = await serve(sentry);

    // Before: the first poll records the baseline; ready, no failed write.
    await sentry.pollOnce();
    expect(await call(`${url}/readyz`)).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await metric(url, 'sentry_git_state_write_errors_total')).toBe(0);
    expect(await metric(url, 'sentry_git_state_writable')).toBe(1);

    // During: another connection (an operator's sqlite3 shell, a backup) holds the write lock,
    // so the new head and its run cannot be recorded. Reads still work (WAL).
    const blocker = new Database(file);
    onTestFinished(() => blocker.close());
    blocker.exec('BEGIN EXCLUSIVE');
    const sha = await repo.commit('main');
    const failed = nextEvent(sentry, 'state:write-failed');
    await sentry.pollOnce().catch(() => undefined);
    const failure = await failed;
    expect(failure.operation).toBe('recordDetection');
    expect(failure.subject).toContain('app');
    expect(failure.error).toMatchObject({ code: 'STATE_WRITE_FAILED' });
    expect(failure.error.message).toMatch(/could not record the heads of app.*database is locked/);

    const notReady = await call(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.json.status).toBe('unavailable');
    expect(notReady.json.reasons).toEqual([
      expect.stringMatching(
        /^the state store cannot write \(1 failed write since .*\): .*database is locked/,
      ),
    ]);
    expect(await metric(url, 'sentry_git_state_write_errors_total')).toBe(1);
    expect(await metric(url, 'sentry_git_state_writable')).toBe(0);
    expect((await call(`${url}/api/v1/status`)).json.stateStore).toMatchObject({
      id: 'sqlite',
      writable: false,
      failedWrites: 1,
      lastError: expect.stringContaining('database is locked'),
    });
    expect(await store.listRuns()).toEqual([]);

    // After: the lock is gone; the next poll records the same change, and the server is ready.
    blocker.exec('ROLLBACK');
    const recovered = nextEvent(sentry, 'state:write-recovered');
    const queued = nextEvent(sentry, 'run:queued');
    await sentry.pollOnce();
    expect(await recovered).toMatchObject({ operation: 'recordDetection', failedWrites: 1 });
    expect((await queued).run.jobs[0]).toMatchObject({ repository: 'app', branch: 'main', sha });
    expect(await call(`${url}/readyz`)).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await metric(url, 'sentry_git_state_write_errors_total')).toBe(1);
    expect(await metric(url, 'sentry_git_state_writable')).toBe(1);
    expect((await call(`${url}/api/v1/status`)).json.stateStore).toMatchObject({
      writable: true,
      failedWrites: 0,
    });
  });
});
