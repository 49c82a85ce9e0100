import { describe, expect, it } from 'vitest';
import { at, change, job, queue, type StoreUnderTest, sha, spec } from './fixtures.js';

/** Copies in, copies out: callers cannot change the store behind its back. */
export function describeIsolation(subject: StoreUnderTest): void {
  describe('isolation', () => {
    it('hands out copies: mutating a returned record does not change the store', async () => {
      await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', null, 1)],
      });
      const recorded = await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)]));
      recorded.status = 'succeeded';
      recorded.jobs[0]!.sha = 'tampered';
      recorded.jobs.push({ ...recorded.jobs[0]!, id: 'ghost' });

      const fetched = await subject.store.getRun('run-1');
      fetched!.error = 'tampered';
      fetched!.jobs[0]!.output = 'tampered';
      const [listed] = await subject.store.listRuns();
      listed!.jobs.length = 0;
      const heads = await subject.store.getHeads('api');
      heads.heads[0]!.sha = 'tampered';
      heads.heads.push({
        repository: 'api',
        branch: 'ghost',
        sha: sha(9),
        updatedAt: at(1),
        deployedSha: null,
      });

      const run = await subject.store.getRun('run-1');
      expect(run).toMatchObject({ status: 'queued', error: null });
      expect(run?.jobs.map((j) => [j.id, j.sha, j.output])).toEqual([['job-1', sha(1), '']]);
      expect((await subject.store.getHeads('api')).heads.map((head) => [head.branch, head.sha])).toEqual([
        ['main', sha(1)],
      ]);
    });

    it('does not keep references to its inputs', async () => {
      const run = spec('run-1', [job('job-1', 'api', 'main', 1)]);
      const changes = [change('api', 'main', null, 1)];
      await subject.store.recordDetection({ repositories: ['api'], changes, run });
      run.jobs[0]!.sha = 'tampered';
      run.jobs.push(job('job-2', 'api', 'dev', 2));
      changes[0]!.after = 'tampered';
      expect((await subject.store.getRun('run-1'))?.jobs.map((j) => j.sha)).toEqual([sha(1)]);
      expect((await subject.store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(1)]);
    });

    it('can be closed twice', async () => {
      await subject.store.close();
      await expect(subject.store.close()).resolves.toBeUndefined();
    });
  });
}
