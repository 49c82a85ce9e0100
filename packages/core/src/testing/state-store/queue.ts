import { describe, expect, it } from 'vitest';
import { at, change, job, queue, type StoreUnderTest, sha, spec } from './fixtures.js';

/**
 * Queue order (`createdAt`, then insertion order): `nextQueuedRun` answers its head, and the
 * rules merge new changes into its tail, so the newest SHA always sits in the run that deploys last.
 */
export function describeQueue(subject: StoreUnderTest): void {
  describe('nextQueuedRun', () => {
    it('answers null for a unit with nothing waiting', async () => {
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toBeNull();
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)], { unit: 'group:web' }));
      await subject.store.updateRun('run-1', { status: 'running', startedAt: at(2) });
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toBeNull();
      await subject.store.updateRun('run-1', { status: 'succeeded', finishedAt: at(3) });
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toBeNull();
    });

    it('answers the unit’s oldest queued run with its jobs, never another unit’s', async () => {
      await queue(
        subject.store,
        spec('other', [job('job-o', 'docs', 'main', 9)], { unit: 'repository:docs', createdAt: at(0) }),
      );
      const recorded = await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-2', 'web', 'main', 3)], {
          createdAt: at(1),
        }),
      );
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toEqual(recorded);
      await expect(subject.store.nextQueuedRun('repository:docs')).resolves.toMatchObject({ id: 'other' });
      // A copy: changing it changes nothing stored.
      const next = await subject.store.nextQueuedRun('group:web');
      next!.jobs.length = 0;
      expect((await subject.store.nextQueuedRun('group:web'))?.jobs).toHaveLength(2);
    });

    it('keeps queue order after a recovery: the re-queued run first, changes merge into the newest', async () => {
      await queue(subject.store, spec('started', [job('job-1', 'api', 'main', 2, 1)], { createdAt: at(1) }));
      await subject.store.updateRun('started', { status: 'running', startedAt: at(2) });
      await queue(
        subject.store,
        spec('follow-up', [job('job-2', 'api', 'main', 3, 2)], { createdAt: at(3) }),
      );
      await subject.store.recoverInterrupted();

      await expect(subject.store.nextQueuedRun('group:web')).resolves.toMatchObject({
        id: 'started',
        status: 'queued',
        attempts: 1,
      });
      const merged = await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', 3, 4)],
        run: spec('run-3', [job('job-3', 'api', 'main', 4, 3)], { createdAt: at(4) }),
      });
      expect(merged).toMatchObject({ coalesced: true, run: { id: 'follow-up' } });
      expect((await subject.store.getRun('started'))?.jobs.map((j) => j.sha)).toEqual([sha(2)]);

      await subject.store.updateRun('started', { status: 'succeeded', finishedAt: at(5) });
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toMatchObject({ id: 'follow-up' });
    });

    it('breaks ties of createdAt by insertion order', async () => {
      await queue(subject.store, spec('first', [job('job-1', 'api', 'main', 1)], { createdAt: at(7) }));
      await subject.store.updateRun('first', { status: 'running' });
      await queue(subject.store, spec('second', [job('job-2', 'api', 'main', 2)], { createdAt: at(7) }));
      await subject.store.updateRun('first', { status: 'queued' });
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toMatchObject({ id: 'first' });
      // And a change merges into the later one.
      const merged = await subject.store.recordDetection({
        repositories: [],
        changes: [],
        run: spec('third', [job('job-3', 'web', 'main', 3)], { createdAt: at(7) }),
      });
      expect(merged.run?.id).toBe('second');
    });

    it('orders by createdAt before insertion order', async () => {
      await queue(subject.store, spec('late', [job('job-1', 'api', 'main', 1)], { createdAt: at(9) }));
      await subject.store.updateRun('late', { status: 'running' });
      await queue(subject.store, spec('early', [job('job-2', 'api', 'main', 2)], { createdAt: at(8) }));
      await subject.store.updateRun('late', { status: 'queued' });
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toMatchObject({ id: 'early' });
    });
  });
}
