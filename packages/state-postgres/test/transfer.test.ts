import { createMemoryStateStore, type StateRecord, type StateStore } from '@sentry-git/core';
import { type PostgresCluster, startPostgres } from '@sentry-git/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStateStore } from '../src/index.js';

let cluster: PostgresCluster;
let databases = 0;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

const AT = '2026-01-05T10:00:00.000Z';
const sha = (n: number) => n.toString(16).padStart(40, '0');

async function exportAll(store: StateStore): Promise<StateRecord[]> {
  const records: StateRecord[] = [];
  for await (const record of store.exportState!()) records.push(record);
  return records;
}

/** `count` runs (created at the same time, listed in reverse id order) with `outputBytes` of output each. */
function runs(count: number, outputBytes: number): StateRecord[] {
  return Array.from({ length: count }, (_, n) => {
    const i = count - 1 - n;
    const id = `run-${String(i).padStart(5, '0')}`;
    return {
      type: 'run' as const,
      id,
      unit: `repository:r${i}` as const,
      trigger: 'poll' as const,
      status: 'failed' as const,
      createdAt: AT,
      startedAt: AT,
      finishedAt: AT,
      error: 'it failed',
      attempts: 1,
      requestedBy: 'alice@ops',
      cancelRequest: { by: 'bob@ops', at: AT, reason: 'wrong commit' },
      jobs: [
        {
          id: `job-${i}`,
          runId: id,
          position: 0,
          repository: `r${i}`,
          branch: 'main',
          sha: sha(i + 1),
          previousSha: null,
          status: 'failed' as const,
          exitCode: 2,
          startedAt: AT,
          finishedAt: AT,
          durationMs: 2 ** 40 + i,
          output: `${i} `.padEnd(outputBytes, 'x'),
          error: 'exit 2',
          attempt: 2,
          handle: { executor: 'shell', pgid: i, nested: { list: [1, 'two', null] } },
        },
      ],
    };
  });
}

describe('postgres export and import', () => {
  const open: StateStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  async function store(options: { poolSize?: number; password?: string } = {}): Promise<StateStore> {
    databases += 1;
    const name = `transfer_${databases}`;
    await cluster.createDatabase(name);
    // Trust authentication ignores a password; one is given to be kept out of messages.
    const url = `postgres://postgres${options.password ? `:${options.password}` : ''}@/${name}?host=${encodeURIComponent(cluster.host)}&port=${cluster.port}`;
    const created = await createPostgresStateStore({
      url,
      ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    });
    open.push(created);
    return created;
  }

  it('writes many runs with large outputs in batches, in their order, and reads them back page by page', async () => {
    const records = runs(1234, 10_000);
    const target = await store();
    await expect(target.importState!(records)).resolves.toMatchObject({
      imported: { runs: 1234, jobs: 1234 },
    });
    expect(await exportAll(target)).toEqual(records);
    expect((await target.listRuns({ limit: 2 })).map((run) => run.id)).toEqual(['run-00000', 'run-00001']);
  });

  it('orders names byte by byte, as SQLite and the memory store do, whatever the database collation', async () => {
    const memory = createMemoryStateStore();
    open.push(memory);
    const names = ['b-repo', 'B-repo', '_repo', 'a.repo', 'A', 'z', 'Zeta', 'ä-repo'];
    await memory.recordDetection({
      repositories: names,
      changes: names.flatMap((name) =>
        ['main', 'Main', 'dev_1', 'dev-1'].map((branch, i) => ({
          repository: name,
          branch,
          before: null,
          after: sha(i + 1),
          kind: 'baseline' as const,
        })),
      ),
    });
    for (const name of names) await memory.recordPollFailure(name, { error: 'down', at: AT });
    const exported = await exportAll(memory);
    const target = await store();
    await target.importState!(exported);
    expect(await exportAll(target)).toEqual(exported);
  });

  it('gives its connection back when the caller stops reading early', async () => {
    const target = await store({ poolSize: 1 });
    await target.importState!(runs(3, 10));
    for (let i = 0; i < 3; i += 1) {
      for await (const record of target.exportState!()) {
        expect(record.type).toBe('run');
        break;
      }
    }
    // With one connection in the pool, a connection kept by an export would make this wait forever.
    await expect(target.getRun('run-00001')).resolves.toMatchObject({ id: 'run-00001' });
  });

  it('names a NUL character, which PostgreSQL text cannot hold, and writes nothing', async () => {
    const records = runs(3, 10);
    const run = records[1] as Extract<StateRecord, { type: 'run' }>;
    run.jobs[0]!.output = 'binary\u0000output';
    const target = await store();
    const error = await target.importState!(records).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_EXPORT_INVALID' });
    expect((error as Error).message).toContain(
      'record 2 (run "run-00001") holds the character U+0000 (NUL, written \\u0000 in the export), which PostgreSQL cannot store in text. Nothing was imported.',
    );
    expect(await exportAll(target)).toEqual([]);
  });

  it('refuses to import while a replica is registered, and imports once it left', async () => {
    const target = await store();
    await target.coordination!.heartbeat('replica-a', 60_000);
    const refused = await target.importState!(runs(2, 10)).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'ENGINE_LOCKED',
      message: expect.stringContaining('A sentry-git replica works on the PostgreSQL '),
      details: { replicas: ['replica-a'] },
    });
    expect(await exportAll(target)).toEqual([]);
    await target.coordination!.leave('replica-a');
    await expect(target.importState!(runs(2, 10))).resolves.toMatchObject({ imported: { runs: 2 } });
  });

  it('names the database without its password when it refuses to import', async () => {
    const target = await store({ password: 'pw-not-shown-7731' });
    await target.recordPollFailure('app', { error: 'down', at: AT });
    const error = await target.importState!(runs(1, 10)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_NOT_EMPTY' });
    expect((error as Error).message).toContain(
      'state store already holds state (0 repositories, 0 heads, 1 failing repository',
    );
    expect((error as Error).message).not.toContain('pw-not-shown-7731');
  });
});
