import path from 'node:path';
import type { StateRecord, StateStore } from '@sentry-git/core';
import { tempdir } from '@sentry-git/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStateStore } from '../src/index.js';

const AT = '2026-01-05T10:00:00.000Z';
const sha = (n: number) => n.toString(16).padStart(40, '0');

/** More of each kind than one page of the export holds; every run created at the same time. */
function manyRecords(count: number): StateRecord[] {
  const records: StateRecord[] = [];
  const names = Array.from({ length: count }, (_, i) => `repo-${String(i).padStart(5, '0')}`);
  for (const name of names) records.push({ type: 'repository', name, seenAt: AT });
  for (const name of names)
    records.push({
      type: 'head',
      repository: name,
      branch: 'main',
      sha: sha(1),
      deployedSha: sha(1),
      updatedAt: AT,
    });
  for (const name of names.slice(0, 3))
    records.push({
      type: 'pollHealth',
      repository: name,
      consecutiveFailures: 1,
      lastError: 'down',
      lastErrorAt: AT,
      failingSince: AT,
    });
  // Runs in an order that is not their ids' order: the queue order must survive as written.
  for (let i = count - 1; i >= 0; i -= 1) {
    const id = `run-${String(i).padStart(5, '0')}`;
    records.push({
      type: 'run',
      id,
      unit: `repository:${names[i]}`,
      trigger: 'poll',
      status: 'succeeded',
      createdAt: AT,
      startedAt: AT,
      finishedAt: AT,
      error: null,
      attempts: 0,
      requestedBy: null,
      cancelRequest: null,
      jobs: [
        {
          id: `job-${i}`,
          runId: id,
          position: 0,
          repository: names[i]!,
          branch: 'main',
          sha: sha(2),
          previousSha: sha(1),
          status: 'succeeded',
          exitCode: 0,
          startedAt: AT,
          finishedAt: AT,
          durationMs: i,
          output: `deployed ${i}\n`,
          error: null,
          attempt: 1,
          handle: null,
        },
      ],
    });
  }
  return records;
}

async function exportAll(store: StateStore): Promise<StateRecord[]> {
  const records: StateRecord[] = [];
  for await (const record of store.exportState!()) records.push(record);
  return records;
}

describe('sqlite export and import', () => {
  const open: StateStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  async function fileStore(): Promise<StateStore> {
    const store = createSqliteStateStore({
      path: path.join(await tempdir('sentry-git-sqlite-'), 'state.db'),
    });
    open.push(store);
    return store;
  }

  it('reads a store larger than a page whole, each record once, runs created together in insertion order', async () => {
    const records = manyRecords(1234);
    const store = await fileStore();
    await expect(store.importState!(records)).resolves.toMatchObject({
      imported: { repositories: 1234, heads: 1234, pollHealth: 3, pauses: 0, runs: 1234, jobs: 1234 },
    });
    expect(await exportAll(store)).toEqual(records);
    const [newest] = await store.listRuns({ limit: 1 });
    expect(newest?.id).toBe('run-00000');
  });

  it('exports and imports a :memory: database', async () => {
    const records = manyRecords(3);
    const memory = createSqliteStateStore({ path: ':memory:' });
    open.push(memory);
    await memory.importState!(records);
    expect(await exportAll(memory)).toEqual(records);
    const file = await fileStore();
    await file.importState!(memory.exportState!());
    expect(await exportAll(file)).toEqual(records);
  });
});
