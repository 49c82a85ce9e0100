import { describe, expect, it } from 'vitest';
import type { DetectionInput } from '../../interfaces/state-store.js';
import type { RunRecord } from '../../types.js';
import { at, change, job, queue, type StoreUnderTest, sha, spec } from './fixtures.js';

/**
 * recordDetection: heads and the queued run in one write. The rules (what merges, which SHA wins,
 * what is refused) have unit tests in core; these check that a store reads what they need (the
 * unit's queued runs, the ids in use) and writes the whole plan or nothing.
 */
export function describeDetection(subject: StoreUnderTest): void {
  describe('recordDetection', () => {
    it('writes the heads and a queued run with queued jobs', async () => {
      const result = await subject.store.recordDetection({
        repositories: ['api', 'web'],
        changes: [change('api', 'main', null, 2), change('web', 'main', null, 3)],
        run: spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-2', 'web', 'main', 3)], {
          unit: 'group:web',
          trigger: 'poll',
          createdAt: at(5),
        }),
      });
      expect(result.coalesced).toBe(false);
      const expected: RunRecord = {
        id: 'run-1',
        unit: 'group:web',
        trigger: 'poll',
        status: 'queued',
        createdAt: at(5),
        startedAt: null,
        finishedAt: null,
        error: null,
        attempts: 0,
        requestedBy: null,
        cancelRequest: null,
        jobs: [
          {
            id: 'job-1',
            runId: 'run-1',
            position: 0,
            repository: 'api',
            branch: 'main',
            sha: sha(2),
            previousSha: sha(1),
            status: 'queued',
            exitCode: null,
            startedAt: null,
            finishedAt: null,
            durationMs: null,
            output: '',
            error: null,
            attempt: 0,
            handle: null,
          },
          {
            id: 'job-2',
            runId: 'run-1',
            position: 1,
            repository: 'web',
            branch: 'main',
            sha: sha(3),
            previousSha: null,
            status: 'queued',
            exitCode: null,
            startedAt: null,
            finishedAt: null,
            durationMs: null,
            output: '',
            error: null,
            attempt: 0,
            handle: null,
          },
        ],
      };
      expect(result.run).toEqual(expected);
      await expect(subject.store.getRun('run-1')).resolves.toEqual(expected);
      expect((await subject.store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(2)]);
      expect((await subject.store.getHeads('web')).heads.map((head) => head.sha)).toEqual([sha(3)]);
    });

    it('merges into the unit’s queued run: same branch takes the newer SHA, new branches are appended', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 2, 1)], { createdAt: at(1) }));
      const result = await subject.store.recordDetection({
        repositories: ['api', 'web'],
        changes: [change('api', 'main', 2, 3), change('web', 'main', null, 9)],
        run: spec('run-2', [job('job-9', 'api', 'main', 3, 2), job('job-10', 'web', 'main', 9)], {
          createdAt: at(2),
          trigger: 'manual',
        }),
      });
      expect(result.coalesced).toBe(true);
      expect(result.run?.id).toBe('run-1');
      // The queued run keeps its identity: id, trigger, creation time.
      expect(result.run).toMatchObject({
        trigger: 'poll',
        createdAt: at(1),
        status: 'queued',
        attempts: 0,
      });
      expect(
        result.run?.jobs.map((j) => [
          j.id,
          j.position,
          j.repository,
          j.branch,
          j.sha,
          j.previousSha,
          j.status,
        ]),
      ).toEqual([
        ['job-1', 0, 'api', 'main', sha(3), sha(1), 'queued'],
        ['job-10', 1, 'web', 'main', sha(9), null, 'queued'],
      ]);
      await expect(subject.store.getRun('run-1')).resolves.toEqual(result.run);
      await expect(subject.store.getRun('run-2')).resolves.toBeNull();
      expect(await subject.store.listRuns()).toHaveLength(1);
      expect((await subject.store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(3)]);
    });

    it('merges only into the unit’s queued run: never into a started or finished run, nor another unit’s', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 2, 1)], { createdAt: at(1) }));
      await subject.store.updateRun('run-1', { status: 'running', startedAt: at(3) });
      await queue(subject.store, spec('run-done', [job('job-d', 'web', 'main', 1)], { createdAt: at(0) }));
      await subject.store.updateRun('run-done', { status: 'succeeded', finishedAt: at(1) });
      await queue(
        subject.store,
        spec('run-other', [job('job-o', 'api', 'release', 7)], { unit: 'repository:api', createdAt: at(2) }),
      );
      const second = await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', 2, 3)],
        run: spec('run-2', [job('job-2', 'api', 'main', 3, 2)], { createdAt: at(4) }),
      });
      expect(second.coalesced).toBe(false);
      expect(second.run).toMatchObject({ id: 'run-2', status: 'queued' });

      // The run just queued is the one later changes merge into.
      const third = await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', 3, 4)],
        run: spec('run-3', [job('job-3', 'api', 'main', 4, 3)], { createdAt: at(5) }),
      });
      expect(third.coalesced).toBe(true);
      expect(third.run?.jobs.map((j) => [j.id, j.sha, j.previousSha])).toEqual([['job-2', sha(4), sha(2)]]);
      const untouched = async (id: string) => (await subject.store.getRun(id))?.jobs.map((j) => j.sha);
      expect(await untouched('run-1')).toEqual([sha(2)]);
      expect(await untouched('run-done')).toEqual([sha(1)]);
      expect(await untouched('run-other')).toEqual([sha(7)]);
      expect(await subject.store.listRuns()).toHaveLength(4);
    });

    it('rejects a job id already in use with STATE_INVALID_RUN and writes nothing', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)], { unit: 'repository:api' }));
      await subject.store.updateRun('run-1', { status: 'running' });
      const input: DetectionInput = {
        repositories: ['web'],
        changes: [change('web', 'main', null, 5)],
        run: spec('run-2', [job('job-2', 'web', 'main', 5), job('job-1', 'web', 'dev', 6)], {
          unit: 'repository:web',
        }),
      };
      await expect(subject.store.recordDetection(input)).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
      await expect(subject.store.getHeads('web')).resolves.toEqual({ seen: false, heads: [] });
      await expect(subject.store.getRun('run-2')).resolves.toBeNull();
      expect((await subject.store.listRuns()).map((run) => run.id)).toEqual(['run-1']);
    });

    it('rejects a run id already in use with STATE_INVALID_RUN and writes nothing', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)], { unit: 'repository:api' }));
      await subject.store.updateRun('run-1', { status: 'succeeded' });
      const input: DetectionInput = {
        repositories: ['web'],
        changes: [change('web', 'main', null, 5)],
        run: spec('run-1', [job('job-2', 'web', 'main', 5)], { unit: 'repository:web' }),
      };
      await expect(subject.store.recordDetection(input)).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
      await expect(subject.store.getHeads('web')).resolves.toEqual({ seen: false, heads: [] });
      expect((await subject.store.getRun('run-1'))?.jobs.map((j) => j.id)).toEqual(['job-1']);
      expect(await subject.store.listRuns()).toHaveLength(1);
    });
  });
}
