import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../interfaces/state-store.js';
import { at, change, job, queue, type StoreUnderTest, sha, spec } from './fixtures.js';

/** What a durable store keeps across close and reopen. */
export function describeDurability(
  subject: StoreUnderTest,
  reopen: () => Promise<StateStore> | StateStore,
): void {
  describe('durability', () => {
    it('declares itself durable', () => {
      expect(subject.store.capabilities.durable).toBe(true);
    });

    it('keeps heads, runs and jobs across close and reopen', async () => {
      await subject.store.recordDetection({
        repositories: ['api', 'empty'],
        changes: [change('api', 'main', null, 1), change('api', 'dev', null, 2)],
      });
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 3, 1)], { unit: 'repository:api', createdAt: at(1) }),
      );
      await subject.store.updateRun('run-1', { status: 'succeeded', startedAt: at(2), finishedAt: at(3) });
      await subject.store.updateJob('job-1', {
        status: 'succeeded',
        exitCode: 0,
        output: 'done\n',
        durationMs: 5,
      });
      await queue(
        subject.store,
        spec('run-2', [job('job-2', 'api', 'dev', 4, 2)], { unit: 'repository:api', createdAt: at(4) }),
      );

      const heads = await subject.store.getHeads('api');
      const empty = await subject.store.getHeads('empty');
      const runs = await subject.store.listRuns();
      await subject.store.close();
      subject.store = await reopen();

      await expect(subject.store.getHeads('api')).resolves.toEqual(heads);
      await expect(subject.store.getHeads('empty')).resolves.toEqual(empty);
      await expect(subject.store.getHeads('unknown')).resolves.toEqual({ seen: false, heads: [] });
      await expect(subject.store.listRuns()).resolves.toEqual(runs);
      expect(runs.map((run) => run.id)).toEqual(['run-2', 'run-1']);

      // The queued run is still the unit's queued run: a new change merges into it.
      const merged = await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'dev', 4, 5)],
        run: spec('run-3', [job('job-3', 'api', 'dev', 5, 4)], {
          unit: 'repository:api',
          createdAt: at(5),
        }),
      });
      expect(merged.coalesced).toBe(true);
      expect(merged.run?.jobs.map((j) => [j.id, j.sha, j.previousSha])).toEqual([['job-2', sha(5), sha(2)]]);
      // Ids stay taken after a reopen.
      await expect(
        subject.store.recordDetection({
          repositories: [],
          changes: [],
          run: spec('run-4', [job('job-1', 'web', 'main', 1)], { unit: 'repository:web' }),
        }),
      ).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
    });

    it('keeps pauses, who asked for a run and a cancel request across close and reopen', async () => {
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 1)], {
          unit: 'repository:api',
          trigger: 'manual',
          requestedBy: 'alice@laptop',
        }),
      );
      await subject.store.updateRun('run-1', { status: 'running', startedAt: at(2) });
      await subject.store.cancelRun('run-1', { by: 'bob', at: at(3), reason: 'wrong “commit”' });
      await subject.store.setPause('repository:api', { by: 'carol', at: at(4), reason: 'freeze' });
      await subject.store.setPause('group:web', { by: 'dave', at: at(5), reason: null });
      const run = await subject.store.getRun('run-1');
      const pauses = await subject.store.listPauses();
      await subject.store.close();
      subject.store = await reopen();

      await expect(subject.store.getRun('run-1')).resolves.toEqual(run);
      expect(run).toMatchObject({
        requestedBy: 'alice@laptop',
        cancelRequest: { by: 'bob', at: at(3), reason: 'wrong “commit”' },
      });
      await expect(subject.store.listPauses()).resolves.toEqual(pauses);
      expect(pauses.map((pause) => pause.unit)).toEqual(['group:web', 'repository:api']);
    });

    it('recovers runs a crash left running after a reopen', async () => {
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 1), job('job-2', 'web', 'main', 2)]),
      );
      await subject.store.updateRun('run-1', { status: 'running', startedAt: at(2) });
      await subject.store.updateJob('job-1', { status: 'succeeded', exitCode: 0, output: 'ok' });
      await subject.store.updateJob('job-2', {
        status: 'running',
        startedAt: at(3),
        attempt: 1,
        handle: { executor: 'shell', pgid: 77, startTime: at(3) },
      });
      await subject.store.close();
      subject.store = await reopen();

      const { requeued } = await subject.store.recoverInterrupted();
      expect(requeued.map((run) => [run.id, run.status, run.attempts])).toEqual([['run-1', 'queued', 1]]);
      expect(requeued[0]?.jobs.map((j) => [j.id, j.status, j.attempt, j.handle])).toEqual([
        ['job-1', 'succeeded', 0, null],
        ['job-2', 'queued', 1, { executor: 'shell', pgid: 77, startTime: at(3) }],
      ]);
      await subject.store.close();
      subject.store = await reopen();
      const reread = await subject.store.getRun('run-1');
      expect(reread?.attempts).toBe(1);
      expect(reread?.jobs[1]).toMatchObject({ attempt: 1, handle: { pgid: 77 } });
    });

    it('lets one engine at a time hold the engine lock, when the store has one', async (context) => {
      if (!subject.store.acquireEngineLock) {
        context.skip();
        return;
      }
      const release = await subject.store.acquireEngineLock('first engine');
      const other = await reopen();
      try {
        await expect(other.acquireEngineLock!('second engine')).rejects.toMatchObject({
          code: 'ENGINE_LOCKED',
          message: expect.stringContaining('first engine'),
        });
        await release();
        const releaseOther = await other.acquireEngineLock!('second engine');
        // close() gives the lock back too.
        await other.close();
        await expect(subject.store.acquireEngineLock('first engine')).resolves.toBeTypeOf('function');
        await releaseOther();
      } finally {
        await other.close();
      }
    });
  });
}
