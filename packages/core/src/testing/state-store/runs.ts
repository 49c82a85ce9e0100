import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../interfaces/state-store.js';

import { at, job, queue, type StoreUnderTest, sha, spec } from './fixtures.js';

/** Run and job updates, and listing runs: order, paging, filters. */
export function describeRuns(subject: StoreUnderTest): void {
  describe('updates', () => {
    it('persists run and job patches, leaving other fields alone', async () => {
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-2', 'web', 'main', 3)]),
      );
      await subject.store.updateRun('run-1', { status: 'running', startedAt: at(10) });
      await subject.store.updateJob('job-1', {
        status: 'succeeded',
        exitCode: 0,
        startedAt: at(10),
        finishedAt: at(12),
        durationMs: 2000,
        output: 'deployed\n',
        error: null,
      });
      await subject.store.updateJob('job-2', { status: 'failed', exitCode: 2, error: 'exit code 2' });
      await subject.store.updateRun('run-1', {
        status: 'failed',
        finishedAt: at(13),
        error: '1 of 2 jobs failed',
      });

      const run = await subject.store.getRun('run-1');
      expect(run).toMatchObject({
        id: 'run-1',
        status: 'failed',
        startedAt: at(10),
        finishedAt: at(13),
        error: '1 of 2 jobs failed',
        attempts: 0,
        createdAt: at(1),
      });
      expect(run?.jobs[0]).toEqual({
        id: 'job-1',
        runId: 'run-1',
        position: 0,
        repository: 'api',
        branch: 'main',
        sha: sha(2),
        previousSha: sha(1),
        status: 'succeeded',
        exitCode: 0,
        startedAt: at(10),
        finishedAt: at(12),
        durationMs: 2000,
        output: 'deployed\n',
        error: null,
        attempt: 0,
        handle: null,
      });
      expect(run?.jobs[1]).toMatchObject({
        id: 'job-2',
        status: 'failed',
        exitCode: 2,
        error: 'exit code 2',
        output: '',
      });
    });

    it('keeps a job’s attempt and its executor handle as JSON, and clears the handle patched to null', async () => {
      await queue(
        subject.store,
        spec('run-1', [job('job-1', 'api', 'main', 1), job('job-2', 'web', 'main', 2)]),
      );
      const handle = {
        executor: 'shell',
        pgid: 4242,
        startTime: '2024-01-01T00:00:10.000Z',
        stateDir: '/var/tmp/sentry-git/job-1',
        nested: { argv: ['sh', '-c', 'deploy'], exited: false, code: null },
      };
      await subject.store.updateJob('job-1', { status: 'running', attempt: 1, handle });
      // The caller's object stays theirs.
      handle.nested.argv.push('tampered');
      expect((await subject.store.getRun('run-1'))?.jobs.map((j) => [j.id, j.attempt, j.handle])).toEqual([
        [
          'job-1',
          1,
          {
            executor: 'shell',
            pgid: 4242,
            startTime: '2024-01-01T00:00:10.000Z',
            stateDir: '/var/tmp/sentry-git/job-1',
            nested: { argv: ['sh', '-c', 'deploy'], exited: false, code: null },
          },
        ],
        ['job-2', 0, null],
      ]);
      // A patch without them leaves both alone; null clears the handle.
      await subject.store.updateJob('job-1', { status: 'succeeded', exitCode: 0 });
      expect((await subject.store.getRun('run-1'))?.jobs[0]).toMatchObject({
        attempt: 1,
        handle: { pgid: 4242 },
      });
      await subject.store.updateJob('job-1', { attempt: 2, handle: null });
      expect((await subject.store.getRun('run-1'))?.jobs[0]).toMatchObject({ attempt: 2, handle: null });
      // A returned handle is a copy.
      await subject.store.updateJob('job-2', {
        handle: { executor: 'tekton', namespace: 'ci', name: 'deploy-x' },
      });
      const fetched = await subject.store.getRun('run-1');
      fetched!.jobs[1]!.handle!.name = 'tampered';
      expect((await subject.store.getRun('run-1'))?.jobs[1]?.handle).toEqual({
        executor: 'tekton',
        namespace: 'ci',
        name: 'deploy-x',
      });
    });

    it('clears a field patched to null', async () => {
      await queue(subject.store, spec('run-1', [job('job-1', 'api', 'main', 1)]));
      await subject.store.updateRun('run-1', { error: 'boom' });
      await subject.store.updateRun('run-1', { error: null });
      await subject.store.updateJob('job-1', { exitCode: 1 });
      await subject.store.updateJob('job-1', { exitCode: null });
      const run = await subject.store.getRun('run-1');
      expect(run?.error).toBeNull();
      expect(run?.jobs[0]?.exitCode).toBeNull();
    });

    it('rejects unknown ids with STATE_NOT_FOUND, and getRun answers null', async () => {
      await expect(subject.store.updateRun('nope', { status: 'running' })).rejects.toMatchObject({
        code: 'STATE_NOT_FOUND',
      });
      await expect(subject.store.updateJob('nope', { status: 'running' })).rejects.toMatchObject({
        code: 'STATE_NOT_FOUND',
      });
      await expect(subject.store.updateRun('nope', {})).rejects.toMatchObject({ code: 'STATE_NOT_FOUND' });
      await expect(subject.store.getRun('nope')).resolves.toBeNull();
    });
  });

  describe('listRuns', () => {
    async function seed(): Promise<void> {
      await queue(
        subject.store,
        spec('r1', [job('j1', 'api', 'main', 1)], { unit: 'repository:api', createdAt: at(1) }),
      );
      await queue(
        subject.store,
        spec('r3', [job('j3', 'web', 'main', 3)], {
          unit: 'group:web',
          createdAt: at(3),
          trigger: 'manual',
        }),
      );
      await queue(
        subject.store,
        spec('r2', [job('j2', 'docs', 'main', 2), job('j2b', 'api', 'dev', 2)], {
          unit: 'group:docs',
          createdAt: at(2),
        }),
      );
      await subject.store.updateRun('r1', { status: 'succeeded' });
      await subject.store.updateRun('r3', { status: 'running' });
    }

    it('lists the most recent first', async () => {
      await seed();
      expect((await subject.store.listRuns()).map((run) => run.id)).toEqual(['r3', 'r2', 'r1']);
    });

    it('breaks ties of createdAt by insertion order, newest first', async () => {
      for (const id of ['a', 'b', 'c']) {
        await queue(
          subject.store,
          spec(id, [job(`job-${id}`, id, 'main', 1)], { unit: `repository:${id}`, createdAt: at(7) }),
        );
      }
      expect((await subject.store.listRuns()).map((run) => run.id)).toEqual(['c', 'b', 'a']);
    });

    it('returns 20 runs by default, and honours limit and offset', async () => {
      for (let i = 0; i < 25; i += 1) {
        await queue(
          subject.store,
          spec(`run-${i}`, [job(`job-${i}`, `repo-${i}`, 'main', i + 1)], {
            unit: `repository:repo-${i}`,
            createdAt: at(i),
          }),
        );
      }
      const all = await subject.store.listRuns();
      expect(all).toHaveLength(20);
      expect(all[0]?.id).toBe('run-24');
      expect(all[19]?.id).toBe('run-5');
      expect((await subject.store.listRuns({ limit: 3 })).map((run) => run.id)).toEqual([
        'run-24',
        'run-23',
        'run-22',
      ]);
      expect((await subject.store.listRuns({ limit: 2, offset: 3 })).map((run) => run.id)).toEqual([
        'run-21',
        'run-20',
      ]);
      expect((await subject.store.listRuns({ limit: 10, offset: 20 })).map((run) => run.id)).toEqual([
        'run-4',
        'run-3',
        'run-2',
        'run-1',
        'run-0',
      ]);
      await expect(subject.store.listRuns({ offset: 30 })).resolves.toEqual([]);
    });

    it('filters by status, unit, repository and trigger', async () => {
      await seed();
      const ids = async (filter: Parameters<StateStore['listRuns']>[0]) =>
        (await subject.store.listRuns(filter)).map((run) => run.id);
      expect(await ids({ status: 'queued' })).toEqual(['r2']);
      expect(await ids({ status: ['succeeded', 'running'] })).toEqual(['r3', 'r1']);
      expect(await ids({ unit: 'group:web' })).toEqual(['r3']);
      expect(await ids({ unit: 'group:nothing' })).toEqual([]);
      expect(await ids({ repository: 'api' })).toEqual(['r2', 'r1']);
      expect(await ids({ trigger: 'manual' })).toEqual(['r3']);
      expect(await ids({ trigger: 'poll', repository: 'api', status: 'succeeded' })).toEqual(['r1']);
    });

    it('returns runs with their jobs in position order', async () => {
      await seed();
      const [, r2] = await subject.store.listRuns();
      expect(r2?.jobs.map((j) => [j.id, j.position])).toEqual([
        ['j2', 0],
        ['j2b', 1],
      ]);
    });
  });
}
