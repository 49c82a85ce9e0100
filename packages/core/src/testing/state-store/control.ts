import { describe, expect, it } from 'vitest';
import type { ActionStamp } from '../../types.js';
import { at, change, job, queue, type StoreUnderTest, spec } from './fixtures.js';

/** Who asked, when and why: an operator's action as the engine stamps it. */
function stamp(by: string, second: number, reason: string | null = null): ActionStamp {
  return { by, at: at(second), reason };
}

/**
 * The operator's controls: cancelling a run (`cancelRun`, core's `planCancel` applied to the run
 * as stored), pausing units (`setPause`, `listPauses`), who asked for a run (`requestedBy`), runs
 * since a time, and the runs nothing merges with (re-runs and deploys of a chosen commit).
 */
export function describeControl(subject: StoreUnderTest): void {
  describe('cancelRun', () => {
    it('cancels a queued run at once with its queued jobs: it never starts, and nothing merges into it', async () => {
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 1), job('job-2', 'web', 'main', 2)], { createdAt: at(1) }),
      );
      // A job that finished before a crash re-queued its run keeps its result.
      await subject.store.updateJob('job-1', { status: 'succeeded', exitCode: 0, finishedAt: at(2) });
      const request = stamp('ops@laptop', 5, 'wrong commit');
      const result = await subject.store.cancelRun('run-1', request);
      expect(result?.outcome).toBe('cancelled');
      expect(result?.run).toMatchObject({
        id: 'run-1',
        status: 'cancelled',
        finishedAt: at(5),
        error: 'cancelled by ops@laptop: wrong commit',
        cancelRequest: request,
      });
      expect(result?.run.jobs.map((j) => [j.id, j.status, j.finishedAt, j.error])).toEqual([
        ['job-1', 'succeeded', at(2), null],
        ['job-2', 'cancelled', at(5), 'cancelled by ops@laptop: wrong commit'],
      ]);
      await expect(subject.store.getRun('run-1')).resolves.toEqual(result?.run);
      await expect(subject.store.nextQueuedRun('group:web')).resolves.toBeNull();

      const next = await subject.store.recordDetection({
        repositories: ['web'],
        changes: [change('web', 'main', 2, 3)],
        run: spec('run-2', [job('job-3', 'web', 'main', 3, 2)], { createdAt: at(6) }),
      });
      expect(next).toMatchObject({ coalesced: false, run: { id: 'run-2', status: 'queued' } });
    });

    it('says who cancelled without a reason', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)]));
      const result = await subject.store.cancelRun('run-1', stamp('admin', 3));
      expect(result?.run.error).toBe('cancelled by admin');
      expect(result?.run.jobs[0]?.error).toBe('cancelled by admin');
    });

    it('records the request on a running run, keeps the first one, and changes nothing else', async () => {
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 1), job('job-2', 'web', 'main', 2)], { createdAt: at(1) }),
      );
      await subject.store.updateRun('run-1', { status: 'running', startedAt: at(2) });
      await subject.store.updateJob('job-1', { status: 'running', startedAt: at(2), attempt: 1 });
      const before = await subject.store.getRun('run-1');

      const first = stamp('alice', 3, 'stuck');
      const result = await subject.store.cancelRun('run-1', first);
      expect(result).toEqual({ outcome: 'requested', run: { ...before, cancelRequest: first } });
      const again = await subject.store.cancelRun('run-1', stamp('bob', 4, 'still stuck'));
      expect(again).toEqual({ outcome: 'requested', run: { ...before, cancelRequest: first } });
      await expect(subject.store.getRun('run-1')).resolves.toEqual({ ...before, cancelRequest: first });
      // The store keeps a copy of the request, and hands out copies.
      const kept = { ...first };
      first.by = 'changed';
      result!.run.cancelRequest!.reason = 'changed';
      await expect(subject.store.getRun('run-1')).resolves.toMatchObject({ cancelRequest: kept });
    });

    it('leaves a finished run as it was', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)]));
      await subject.store.updateRun('run-1', { status: 'succeeded', startedAt: at(2), finishedAt: at(3) });
      await subject.store.updateJob('job-1', { status: 'succeeded', exitCode: 0 });
      const before = await subject.store.getRun('run-1');
      await expect(subject.store.cancelRun('run-1', stamp('alice', 4))).resolves.toEqual({
        outcome: 'finished',
        run: before,
      });
      await expect(subject.store.getRun('run-1')).resolves.toEqual(before);
    });

    it('answers null for a run it does not hold', async () => {
      await expect(subject.store.cancelRun('no-such-run', stamp('alice', 1))).resolves.toBeNull();
    });
  });

  describe('pauses', () => {
    it('keeps who paused a unit, when and why, sorted by unit; a new pause replaces the old, null resumes', async () => {
      await expect(subject.store.listPauses()).resolves.toEqual([]);
      await subject.store.setPause('repository:web', stamp('alice', 1, 'noisy'));
      await subject.store.setPause('group:site', stamp('bob', 2));
      const freeze = stamp('carol', 3, 'freeze');
      await subject.store.setPause('repository:api', freeze);
      freeze.by = 'changed';
      await expect(subject.store.listPauses()).resolves.toEqual([
        { unit: 'group:site', by: 'bob', at: at(2), reason: null },
        { unit: 'repository:api', by: 'carol', at: at(3), reason: 'freeze' },
        { unit: 'repository:web', by: 'alice', at: at(1), reason: 'noisy' },
      ]);

      await subject.store.setPause('repository:web', stamp('dave', 4, 'still noisy'));
      await subject.store.setPause('group:site', null);
      // Resuming a unit that is not paused changes nothing.
      await subject.store.setPause('group:other', null);
      const pauses = await subject.store.listPauses();
      expect(pauses).toEqual([
        { unit: 'repository:api', by: 'carol', at: at(3), reason: 'freeze' },
        { unit: 'repository:web', by: 'dave', at: at(4), reason: 'still noisy' },
      ]);
      // A copy: changing it changes nothing stored.
      pauses[0]!.by = 'changed';
      await expect(subject.store.listPauses()).resolves.toMatchObject([{ by: 'carol' }, { by: 'dave' }]);
    });
  });

  describe('runs asked for', () => {
    it('keeps who asked for a run; a poll’s run was asked for by nobody', async () => {
      const asked = await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 1)], {
          unit: 'repository:api',
          trigger: 'manual',
          requestedBy: 'alice@laptop',
        }),
      );
      expect(asked).toMatchObject({ requestedBy: 'alice@laptop', cancelRequest: null });
      const polled = await queue(subject.store, spec('run-2', [job('job-2', 'web', 'main', 2)]));
      expect(polled).toMatchObject({ requestedBy: null, cancelRequest: null });
      await expect(subject.store.getRun('run-1')).resolves.toMatchObject({ requestedBy: 'alice@laptop' });
    });

    it('never merges a re-run or a deploy into a queued run, nor anything into them', async () => {
      await queue(subject.store, spec('poll-1', [job('job-1', 'api', 'main', 2, 1)], { createdAt: at(1) }));
      for (const [id, trigger] of [
        ['rerun-1', 'rerun'],
        ['deploy-1', 'deploy'],
      ] as const) {
        const separate = await subject.store.recordDetection({
          repositories: [],
          changes: [],
          run: spec(id, [job(`${id}-job`, 'api', 'main', 1, 2)], {
            createdAt: at(2),
            trigger,
            requestedBy: 'ops',
          }),
        });
        expect(separate).toMatchObject({ coalesced: false, run: { id, trigger, status: 'queued' } });
      }
      // A change after them queues a run of its own (the newest queued run is a deploy), and the
      // next one merges into that run.
      const after = await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', 2, 3)],
        run: spec('poll-2', [job('job-2', 'api', 'main', 3, 2)], { createdAt: at(3) }),
      });
      expect(after).toMatchObject({ coalesced: false, run: { id: 'poll-2' } });
      const merged = await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', 3, 4)],
        run: spec('poll-3', [job('job-3', 'api', 'main', 4, 3)], { createdAt: at(4) }),
      });
      expect(merged).toMatchObject({ coalesced: true, run: { id: 'poll-2' } });
      const queued = await subject.store.listRuns({ status: 'queued', limit: 10 });
      expect(queued.map((run) => [run.id, run.jobs.map((j) => j.id)])).toEqual([
        ['poll-2', ['job-2']],
        ['deploy-1', ['deploy-1-job']],
        ['rerun-1', ['rerun-1-job']],
        ['poll-1', ['job-1']],
      ]);
    });
  });

  describe('listRuns since', () => {
    it('lists the runs created at or after a time, with the other filters, in any ISO 8601 form', async () => {
      for (const [n, unit] of [
        [1, 'repository:api'],
        [2, 'repository:web'],
        [3, 'repository:api'],
        [4, 'repository:api'],
      ] as const) {
        await queue(
          subject.store,
          spec(`run-${n}`, [job(`job-${n}`, unit.slice(11), 'main', n)], { unit, createdAt: at(n) }),
        );
        // Finished, so the next change of its unit is a run of its own.
        await subject.store.updateRun(`run-${n}`, { status: 'succeeded', finishedAt: at(n) });
      }
      const ids = async (filter: Parameters<typeof subject.store.listRuns>[0]) =>
        (await subject.store.listRuns(filter)).map((run) => run.id);
      expect(await ids({ since: at(2) })).toEqual(['run-4', 'run-3', 'run-2']);
      expect(await ids({ since: '2024-01-01T00:00:02Z' })).toEqual(['run-4', 'run-3', 'run-2']);
      expect(await ids({ since: '2024-01-01T01:00:02+01:00' })).toEqual(['run-4', 'run-3', 'run-2']);
      expect(await ids({ since: at(2), unit: 'repository:api' })).toEqual(['run-4', 'run-3']);
      expect(await ids({ since: at(2), repository: 'api', limit: 1, offset: 1 })).toEqual(['run-3']);
      expect(await ids({ since: at(5) })).toEqual([]);
      expect(await ids({ since: at(0) })).toHaveLength(4);
    });
  });
}
