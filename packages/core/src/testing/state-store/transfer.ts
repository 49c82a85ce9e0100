import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../interfaces/state-store.js';
import type { StateRecord } from '../../interfaces/state-transfer.js';
import { at, change, job, type StoreUnderTest, sha, spec } from './fixtures.js';
import { exportAll, writeScene } from './transfer-scene.js';

/**
 * exportState / importState (optional methods; skipped for a store without them): everything a
 * store keeps goes out as records and comes back in, into a store of any kind, in one
 * transaction: all or nothing, never on top of other state unless `replace`.
 */
export function describeTransfer(
  subject: StoreUnderTest,
  create: () => Promise<StateStore> | StateStore,
): void {
  describe('export and import', () => {
    const others: StateStore[] = [];
    /** A second, empty store of the same kind, closed after the test. */
    async function another(): Promise<StateStore> {
      const store = await create();
      others.push(store);
      return store;
    }

    beforeEach((context) => {
      if (!subject.store.exportState || !subject.store.importState) context.skip();
    });
    afterEach(async () => {
      for (const store of others.splice(0)) await store.close();
    });

    it('exports every kind of record, in order: repositories, heads, poll health, pauses, runs in queue order', async () => {
      await writeScene(subject.store);
      const records = await exportAll(subject.store);
      expect(records.map(keyOf)).toEqual([
        'repository api',
        'repository empty',
        'repository web',
        'head api dev',
        'head api feature',
        'head api main',
        'head web main',
        'pollHealth gone',
        'pollHealth web',
        'pause group:site',
        'pause repository:api',
        'run run-1',
        'run run-2',
        'run run-4',
        'run run-3',
      ]);
      for (const record of records.filter((r) => r.type === 'repository'))
        expect(Number.isNaN(Date.parse(record.seenAt))).toBe(false);
      // Each record is what the store's own reads answer.
      const heads = [
        ...(await subject.store.getHeads('api')).heads,
        ...(await subject.store.getHeads('web')).heads,
      ];
      expect(records.filter((r) => r.type === 'head')).toEqual(heads.map((h) => ({ type: 'head', ...h })));
      expect(records.find((r) => r.type === 'head' && r.branch === 'feature')).toMatchObject({
        deployedSha: null,
      });
      expect(records.filter((r) => r.type === 'pollHealth')).toEqual([
        {
          type: 'pollHealth',
          repository: 'gone',
          ...(await subject.store.getPollHealth('gone')),
        },
        { type: 'pollHealth', repository: 'web', ...(await subject.store.getPollHealth('web')) },
      ]);
      expect(records.filter((r) => r.type === 'pause')).toEqual(
        (await subject.store.listPauses()).map((pause) => ({ type: 'pause', ...pause })),
      );
      const runs = (await subject.store.listRuns({ limit: 100 })).reverse();
      expect(records.filter((r) => r.type === 'run')).toEqual(runs.map((run) => ({ type: 'run', ...run })));
      expect(records.find((r) => r.type === 'run' && r.id === 'run-4')).toMatchObject({
        status: 'queued',
        attempts: 1,
        jobs: [{ id: 'job-5', attempt: 1, handle: { executor: 'tekton', labels: { a: 'b' } } }],
      });
      expect(records.find((r) => r.type === 'run' && r.id === 'run-1')).toMatchObject({
        status: 'succeeded',
        requestedBy: null,
        cancelRequest: { by: 'dave@ops', at: at(12), reason: 'wrong “branch”' },
      });
      expect(records.find((r) => r.type === 'run' && r.id === 'run-2')).toMatchObject({
        requestedBy: 'alice@laptop',
        cancelRequest: null,
      });
    });

    it('exports nothing from an empty store, and imports nothing into one', async () => {
      expect(await exportAll(subject.store)).toEqual([]);
      await expect(subject.store.importState!([])).resolves.toEqual({
        imported: { repositories: 0, heads: 0, pollHealth: 0, pauses: 0, runs: 0, jobs: 0 },
        replaced: null,
      });
    });

    it('round-trips: an import into an empty store exports the same records, and works as the original', async () => {
      await writeScene(subject.store);
      const exported = await exportAll(subject.store);
      const target = await another();
      const result = await target.importState!(exported);
      expect(result).toEqual({
        imported: { repositories: 3, heads: 4, pollHealth: 2, pauses: 2, runs: 4, jobs: 5 },
        replaced: null,
      });
      expect(await exportAll(target)).toEqual(exported);

      // It reads and goes on as the original would.
      for (const repository of ['api', 'web', 'empty', 'unknown'])
        await expect(target.getHeads(repository)).resolves.toEqual(await subject.store.getHeads(repository));
      await expect(target.getPollHealth('web')).resolves.toEqual(await subject.store.getPollHealth('web'));
      await expect(target.listPauses()).resolves.toEqual(await subject.store.listPauses());
      await expect(target.listRuns({ limit: 100 })).resolves.toEqual(
        await subject.store.listRuns({ limit: 100 }),
      );
      await expect(target.nextQueuedRun('group:site')).resolves.toMatchObject({ id: 'run-4' });
      // Ids stay taken, and a new change merges into the imported queued run.
      await expect(
        target.recordDetection({
          repositories: [],
          changes: [],
          run: spec('run-9', [job('job-1', 'x', 'main', 1)], { unit: 'repository:x' }),
        }),
      ).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
      const merged = await target.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'feature', 8, 11)],
        run: spec('run-5', [job('job-6', 'api', 'feature', 11, 8)], {
          unit: 'repository:api',
          createdAt: at(50),
        }),
      });
      expect(merged).toMatchObject({
        coalesced: true,
        run: { id: 'run-3', jobs: [{ id: 'job-4', sha: sha(11) }] },
      });
      // A run written after the import comes after the imported ones in queue order, also when
      // created at the same time.
      await target.recordDetection({
        repositories: [],
        changes: [],
        run: spec('run-6', [job('job-7', 'docs', 'main', 12)], { unit: 'group:docs', createdAt: at(20) }),
      });
      const ids = (await target.listRuns()).map((run) => run.id);
      expect(ids).toEqual(['run-3', 'run-6', 'run-4', 'run-2', 'run-1']);
    });

    it('takes records from an async iterable too, and keeps none of the objects it is given', async () => {
      await writeScene(subject.store);
      const exported = await exportAll(subject.store);
      const streamed = await another();
      await streamed.importState!(streamOf(exported));
      expect(await exportAll(streamed)).toEqual(exported);

      const target = await another();
      await target.importState!(exported);
      const run = exported.find((r) => r.type === 'run' && r.id === 'run-1') as Extract<
        StateRecord,
        { type: 'run' }
      >;
      run.jobs[0]!.output = 'tampered';
      run.jobs[0]!.handle!.pgid = 1;
      run.cancelRequest!.by = 'tampered';
      const pause = exported.find((r) => r.type === 'pause') as Extract<StateRecord, { type: 'pause' }>;
      pause.by = 'tampered';
      await expect(target.getRun('run-1')).resolves.toMatchObject({
        jobs: [{ output: 'deployed api\n  with “unicode” and a tab\t\n', handle: { pgid: 4242 } }],
        cancelRequest: { by: 'dave@ops' },
      });
      expect((await target.listPauses()).map((p) => p.by)).toEqual(['bob@ops', 'carol']);
    });

    it('refuses to import into a store that holds state, and leaves it as it was', async () => {
      await writeScene(subject.store);
      const exported = await exportAll(subject.store);
      const target = await another();
      await target.recordPollFailure('only-this', { error: 'down', at: at(1) });
      const error = await target.importState!(exported).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'STATE_NOT_EMPTY',
        message: expect.stringContaining(
          'already holds state (0 repositories, 0 heads, 1 failing repository',
        ),
      });
      expect(await exportAll(target)).toEqual([
        {
          type: 'pollHealth',
          repository: 'only-this',
          consecutiveFailures: 1,
          lastError: 'down',
          lastErrorAt: at(1),
          failingSince: at(1),
        },
      ]);
    });

    it('replaces the state it holds with replace, in the same transaction', async () => {
      await writeScene(subject.store);
      const exported = await exportAll(subject.store);
      const target = await another();
      await target.recordDetection({ repositories: ['old'], changes: [change('old', 'main', null, 1)] });
      await target.recordDetection({
        repositories: [],
        changes: [],
        run: spec('run-1', [job('job-1', 'old', 'main', 1)], { unit: 'repository:old' }),
      });
      await target.setPause('repository:old', { by: 'erin', at: at(2), reason: null });
      const result = await target.importState!(exported, { replace: true });
      expect(result.replaced).toEqual({
        repositories: 1,
        heads: 1,
        pollHealth: 0,
        pauses: 1,
        runs: 1,
        jobs: 1,
      });
      expect(await exportAll(target)).toEqual(exported);
    });

    it('writes nothing when a record is refused, not even what replace would delete', async () => {
      await writeScene(subject.store);
      const before = await exportAll(subject.store);
      const target = await another();
      const incoming: unknown[] = [
        { type: 'repository', name: 'new', seenAt: at(1) },
        { type: 'head', repository: 'new', branch: 'main', sha: sha(1), deployedSha: null, updatedAt: at(1) },
        { type: 'run', ...runOf('run-x', [{ id: 'job-x', status: 'done' }]) },
      ];
      const refused = await target.importState!(incoming as StateRecord[]).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'STATE_EXPORT_INVALID' });
      expect((refused as Error).message).toContain(
        'record 3 (run "run-x"): jobs[0].status is "done"; expected one of',
      );
      expect(await exportAll(target)).toEqual([]);

      const replacing = await subject.store.importState!(incoming as StateRecord[], { replace: true }).catch(
        (e: unknown) => e,
      );
      expect(replacing).toMatchObject({ code: 'STATE_EXPORT_INVALID' });
      expect(await exportAll(subject.store)).toEqual(before);
    });

    it('writes nothing when its input fails part way (a file cut short)', async () => {
      await writeScene(subject.store);
      const exported = await exportAll(subject.store);
      const target = await another();
      async function* cutShort(): AsyncGenerator<StateRecord> {
        yield* exported.slice(0, 8);
        throw new Error('the input ended early');
      }
      await expect(target.importState!(cutShort())).rejects.toThrow('the input ended early');
      expect(await exportAll(target)).toEqual([]);
      // The store is still usable after the failed import.
      await expect(target.importState!(exported)).resolves.toMatchObject({ replaced: null });
    });

    it('refuses what no store can hold twice: a run id or job id in use, a head twice', async () => {
      const target = subject.store;
      const duplicateJob = [
        { type: 'run', ...runOf('run-a', [{ id: 'job-a' }]) },
        { type: 'run', ...runOf('run-b', [{ id: 'job-a' }]) },
      ];
      await expect(target.importState!(duplicateJob as StateRecord[])).rejects.toMatchObject({
        code: 'STATE_EXPORT_INVALID',
        message: expect.stringContaining(
          'record 2 (run "run-b"): jobs[0].id is "job-a"; expected each job id once',
        ),
      });
      const head = {
        type: 'head',
        repository: 'a',
        branch: 'main',
        sha: sha(1),
        deployedSha: null,
        updatedAt: at(1),
      };
      await expect(
        target.importState!([head, { ...head, sha: sha(2) }] as StateRecord[]),
      ).rejects.toMatchObject({
        code: 'STATE_EXPORT_INVALID',
      });
      const pause = { type: 'pause', unit: 'repository:a', by: 'erin', at: at(1), reason: null };
      await expect(
        target.importState!([pause, { ...pause, by: 'frank' }] as StateRecord[]),
      ).rejects.toMatchObject({
        code: 'STATE_EXPORT_INVALID',
        message: expect.stringContaining(
          'record 2 (pause of repository:a): unit is "repository:a"; expected one pause per unit once',
        ),
      });
      expect(await exportAll(target)).toEqual([]);
    });

    it('exports one snapshot: what is written while the records are read is not in them', async () => {
      await writeScene(subject.store);
      const expected = await exportAll(subject.store);
      const reading = subject.store.exportState!()[Symbol.asyncIterator]();
      const records = [(await reading.next()).value as StateRecord];
      await subject.store.recordDetection({
        repositories: ['late'],
        changes: [change('late', 'main', null, 1)],
        run: spec('run-late', [job('job-late', 'late', 'main', 1)], {
          unit: 'repository:late',
          createdAt: at(1),
        }),
      });
      await subject.store.updateRun('run-1', { error: 'changed while exporting' });
      for (let next = await reading.next(); !next.done; next = await reading.next()) records.push(next.value);
      expect(records).toEqual(expected);
    });

    it('can stop reading early, and the store goes on', async () => {
      await writeScene(subject.store);
      for await (const record of subject.store.exportState!()) {
        expect(record.type).toBe('repository');
        break;
      }
      await expect(subject.store.getRun('run-1')).resolves.toMatchObject({ id: 'run-1' });
      expect(await exportAll(subject.store)).toHaveLength(15);
    });

    it('refuses both once closed', async () => {
      const store = await another();
      await store.close();
      await expect(exportAll(store)).rejects.toMatchObject({ code: 'STATE_CLOSED' });
      await expect(store.importState!([])).rejects.toMatchObject({ code: 'STATE_CLOSED' });
    });
  });
}

function keyOf(record: StateRecord): string {
  if (record.type === 'repository') return `repository ${record.name}`;
  if (record.type === 'head') return `head ${record.repository} ${record.branch}`;
  if (record.type === 'pollHealth') return `pollHealth ${record.repository}`;
  if (record.type === 'pause') return `pause ${record.unit}`;
  return `run ${record.id}`;
}

async function* streamOf<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield structuredClone(item);
}

/** A finished run record with the given jobs (each a succeeded job unless overridden). */
function runOf(id: string, jobs: Array<Record<string, unknown>>) {
  return {
    id,
    unit: 'repository:a',
    trigger: 'poll',
    status: 'succeeded',
    createdAt: at(1),
    startedAt: at(1),
    finishedAt: at(2),
    error: null,
    attempts: 0,
    requestedBy: null,
    cancelRequest: null,
    jobs: jobs.map((overrides, position) => ({
      id: `job-${position}`,
      runId: id,
      position,
      repository: 'a',
      branch: `b${position}`,
      sha: sha(position + 1),
      previousSha: null,
      status: 'succeeded',
      exitCode: 0,
      startedAt: at(1),
      finishedAt: at(2),
      durationMs: 5,
      output: '',
      error: null,
      attempt: 1,
      handle: null,
      ...overrides,
    })),
  };
}
