import { describe, expect, it } from 'vitest';
import { at, job, queue, type StoreUnderTest, spec } from './fixtures.js';

/**
 * recoverInterrupted: what a crash left running or queued, as `planRecovery` decides (its rules
 * have unit tests in core) and the store writes: in queue order, all of it, persisted.
 */
export function describeRecovery(subject: StoreUnderTest): void {
  describe('recoverInterrupted', () => {
    /** A crash mid-run: r-old running with one job done, one running, one waiting; r-new queued. */
    async function crashScene(): Promise<void> {
      await queue(
        subject.store,
        spec(
          'r-old',
          [job('done', 'a', 'main', 1), job('busy', 'b', 'main', 2), job('wait', 'c', 'main', 3)],
          {
            unit: 'group:one',
            createdAt: at(1),
          },
        ),
      );
      await queue(
        subject.store,
        spec('r-new', [job('later', 'd', 'main', 4)], { unit: 'group:two', createdAt: at(2) }),
      );
      await queue(
        subject.store,
        spec('r-done', [job('old', 'e', 'main', 5)], { unit: 'group:three', createdAt: at(0) }),
      );
      await subject.store.updateRun('r-done', { status: 'succeeded', startedAt: at(0), finishedAt: at(1) });
      await subject.store.updateJob('old', { status: 'succeeded', exitCode: 0, finishedAt: at(1) });
      await subject.store.updateRun('r-old', { status: 'running', startedAt: at(3) });
      await subject.store.updateJob('done', {
        status: 'succeeded',
        exitCode: 0,
        startedAt: at(3),
        finishedAt: at(4),
        durationMs: 1000,
        output: 'ok\n',
      });
      await subject.store.updateJob('done', { attempt: 1, handle: { executor: 'shell', pgid: 10 } });
      await subject.store.updateJob('busy', {
        status: 'running',
        startedAt: at(4),
        output: 'half',
        attempt: 1,
        handle: { executor: 'shell', pgid: 11, startTime: at(4) },
      });
    }

    it('re-queues running and queued runs by default, oldest first', async () => {
      await crashScene();
      const result = await subject.store.recoverInterrupted();
      expect(result.failed).toEqual([]);
      expect(result.requeued.map((run) => run.id)).toEqual(['r-old', 'r-new']);

      const old = await subject.store.getRun('r-old');
      expect(result.requeued[0]).toEqual(old);
      expect(old).toMatchObject({ status: 'queued', startedAt: null, finishedAt: null, attempts: 1 });
      expect(old?.jobs[0]).toMatchObject({
        id: 'done',
        status: 'succeeded',
        exitCode: 0,
        startedAt: at(3),
        finishedAt: at(4),
        durationMs: 1000,
        output: 'ok\n',
      });
      // The job left running keeps what the runner needs to adopt its work: its handle and attempt.
      expect(old?.jobs[1]).toMatchObject({
        id: 'busy',
        status: 'queued',
        startedAt: null,
        attempt: 1,
        handle: { executor: 'shell', pgid: 11, startTime: at(4) },
      });
      expect(old?.jobs[2]).toMatchObject({
        id: 'wait',
        status: 'queued',
        startedAt: null,
        attempt: 0,
        handle: null,
      });
      expect(old?.jobs[0]).toMatchObject({ attempt: 1, handle: { executor: 'shell', pgid: 10 } });

      // A run that never started was not interrupted: attempts stay.
      expect(await subject.store.getRun('r-new')).toMatchObject({ status: 'queued', attempts: 0 });
      expect(await subject.store.getRun('r-done')).toMatchObject({ status: 'succeeded', finishedAt: at(1) });

      // Recovering again counts no new interruption.
      const again = await subject.store.recoverInterrupted({ policy: 'requeue' });
      expect(again.requeued.map((run) => [run.id, run.attempts])).toEqual([
        ['r-old', 1],
        ['r-new', 0],
      ]);
    });

    it('marks interrupted runs failed with policy fail, cancelling unfinished jobs', async () => {
      await crashScene();
      const now = at(30);
      const result = await subject.store.recoverInterrupted({ policy: 'fail', now });
      expect(result.requeued).toEqual([]);
      expect(result.failed.map((run) => run.id)).toEqual(['r-old', 'r-new']);

      const old = await subject.store.getRun('r-old');
      expect(result.failed[0]).toEqual(old);
      expect(old).toMatchObject({
        status: 'failed',
        error: 'interrupted by a crash',
        finishedAt: now,
        attempts: 0,
      });
      expect(old?.jobs[0]).toMatchObject({
        id: 'done',
        status: 'succeeded',
        exitCode: 0,
        output: 'ok\n',
        error: null,
      });
      for (const cancelled of old?.jobs.slice(1) ?? []) {
        expect(cancelled.status).toBe('cancelled');
        expect(cancelled.error).toEqual(expect.any(String));
      }
      expect(await subject.store.getRun('r-new')).toMatchObject({ status: 'failed', finishedAt: now });
      expect(await subject.store.getRun('r-done')).toMatchObject({ status: 'succeeded', error: null });
      await expect(subject.store.recoverInterrupted({ policy: 'fail', now })).resolves.toEqual({
        requeued: [],
        failed: [],
      });
    });

    it('finds nothing to recover in an idle store', async () => {
      await expect(subject.store.recoverInterrupted()).resolves.toEqual({ requeued: [], failed: [] });
    });
  });
}
