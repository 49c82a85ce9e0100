import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DetectionInput, StateStore } from '../interfaces/state-store.js';
import type { HeadChange, JobSpec, RunRecord, RunSpec, TriggerKind, UnitKey } from '../types.js';

export interface StateStoreSuiteOptions {
  /** Shown in the suite's title. */
  name?: string;
  /** A new, empty store (each test gets its own). */
  create(): Promise<StateStore> | StateStore;
  /** reopen the same storage (durable stores only) */
  reopen?(): Promise<StateStore> | StateStore;
}

/** A 40-hex SHA that differs per `n`, readable in failure diffs. */
function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}

/** Distinct, ordered timestamps: `at(1) < at(2)`. */
function at(second: number): string {
  return new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();
}

function job(
  id: string,
  repository: string,
  branch: string,
  to: number,
  from: number | null = null,
): JobSpec {
  return { id, repository, branch, sha: sha(to), previousSha: from === null ? null : sha(from) };
}

function spec(
  id: string,
  jobs: JobSpec[],
  options: { unit?: UnitKey; trigger?: TriggerKind; createdAt?: string } = {},
): RunSpec {
  return {
    id,
    unit: options.unit ?? 'group:web',
    trigger: options.trigger ?? 'poll',
    createdAt: options.createdAt ?? at(1),
    jobs,
  };
}

function change(repository: string, branch: string, before: number | null, after: number | null): HeadChange {
  const kind = before === null ? 'created' : after === null ? 'deleted' : 'updated';
  return {
    repository,
    branch,
    before: before === null ? null : sha(before),
    after: after === null ? null : sha(after),
    kind,
  };
}

/** Records one run (with its heads) and returns it. */
async function queue(store: StateStore, run: RunSpec): Promise<RunRecord> {
  const changes = run.jobs.map((j) => change(j.repository, j.branch, null, Number.parseInt(j.sha, 16)));
  const result = await store.recordDetection({ repositories: [], changes, run });
  if (!result.run) throw new Error('recordDetection returned no run');
  return result.run;
}

/**
 * The StateStore contract as tests. Every store, first-party or plugin, runs it:
 * `describeStateStore({ name: 'my store', create: () => createMyStore() })`.
 */
export function describeStateStore(options: StateStoreSuiteOptions): void {
  describe(`StateStore conformance: ${options.name ?? 'state store'}`, () => {
    let store: StateStore;

    beforeEach(async () => {
      store = await options.create();
    });

    afterEach(async () => {
      await store.close();
    });

    it('has an id and declares whether it is durable', () => {
      expect(typeof store.id).toBe('string');
      expect(store.id.length).toBeGreaterThan(0);
      expect(typeof store.capabilities.durable).toBe('boolean');
    });

    describe('heads', () => {
      it('reports a repository never polled as unseen, with no heads', async () => {
        await expect(store.getHeads('never-polled')).resolves.toEqual({ seen: false, heads: [] });
      });

      it('marks polled repositories seen and keeps a baseline, sorted by branch', async () => {
        const result = await store.recordDetection({
          repositories: ['api', 'empty'],
          changes: [
            { repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' },
            { repository: 'api', branch: 'dev', before: null, after: sha(2), kind: 'baseline' },
          ],
        });
        expect(result).toEqual({ run: null, coalesced: false });
        const api = await store.getHeads('api');
        expect(api.seen).toBe(true);
        expect(api.heads.map((head) => [head.repository, head.branch, head.sha])).toEqual([
          ['api', 'dev', sha(2)],
          ['api', 'main', sha(1)],
        ]);
        for (const head of api.heads) expect(Number.isNaN(Date.parse(head.updatedAt))).toBe(false);
        await expect(store.getHeads('empty')).resolves.toEqual({ seen: true, heads: [] });
        await expect(store.getHeads('other')).resolves.toEqual({ seen: false, heads: [] });
      });

      it('updates a moved head and deletes a removed one, leaving other repositories alone', async () => {
        await store.recordDetection({
          repositories: ['api', 'web'],
          changes: [
            change('api', 'main', null, 1),
            change('api', 'dev', null, 2),
            change('web', 'main', null, 3),
          ],
        });
        await store.recordDetection({
          repositories: ['api'],
          changes: [change('api', 'main', 1, 4), change('api', 'dev', 2, null)],
        });
        const api = await store.getHeads('api');
        expect(api.seen).toBe(true);
        expect(api.heads.map((head) => [head.branch, head.sha])).toEqual([['main', sha(4)]]);
        const web = await store.getHeads('web');
        expect(web.heads.map((head) => [head.branch, head.sha])).toEqual([['main', sha(3)]]);
      });

      it('keeps the last deployed SHA: the baseline, unchanged by moves, set by markDeployed', async () => {
        await store.recordDetection({
          repositories: ['api'],
          changes: [{ repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' }],
        });
        await store.recordDetection({
          repositories: [],
          changes: [
            change('api', 'main', 1, 2),
            { repository: 'api', branch: 'dev', before: null, after: sha(3), kind: 'created' },
          ],
        });
        const deployed = async () =>
          (await store.getHeads('api')).heads.map((head) => [head.branch, head.sha, head.deployedSha]);
        expect(await deployed()).toEqual([
          ['dev', sha(3), null],
          ['main', sha(2), sha(1)],
        ]);
        await store.markDeployed('api', 'main', sha(2));
        await store.markDeployed('api', 'dev', sha(3));
        await store.markDeployed('api', 'gone', sha(4));
        expect(await deployed()).toEqual([
          ['dev', sha(3), sha(3)],
          ['main', sha(2), sha(2)],
        ]);
      });

      it('ignores the deletion of a head it never had', async () => {
        await store.recordDetection({ repositories: ['api'], changes: [change('api', 'gone', 1, null)] });
        await expect(store.getHeads('api')).resolves.toEqual({ seen: true, heads: [] });
      });
    });

    describe('recordDetection', () => {
      it('writes the heads and a queued run with queued jobs', async () => {
        const result = await store.recordDetection({
          repositories: ['api', 'web'],
          changes: [change('api', 'main', 1, 2), change('web', 'main', null, 3)],
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
            },
          ],
        };
        expect(result.run).toEqual(expected);
        await expect(store.getRun('run-1')).resolves.toEqual(expected);
        expect((await store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(2)]);
        expect((await store.getHeads('web')).heads.map((head) => head.sha)).toEqual([sha(3)]);
      });

      it('merges into the unit’s queued run: same branch takes the newer SHA, new branches are appended', async () => {
        await queue(store, spec('run-1', [job('job-1', 'api', 'main', 2, 1)], { createdAt: at(1) }));
        const result = await store.recordDetection({
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
        await expect(store.getRun('run-1')).resolves.toEqual(result.run);
        await expect(store.getRun('run-2')).resolves.toBeNull();
        expect(await store.listRuns()).toHaveLength(1);
        expect((await store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(3)]);
      });

      it('queues a follow-up run when the unit’s run has started, and merges later changes into that one', async () => {
        await queue(store, spec('run-1', [job('job-1', 'api', 'main', 2, 1)]));
        await store.updateRun('run-1', { status: 'running', startedAt: at(3) });
        const second = await store.recordDetection({
          repositories: ['api'],
          changes: [change('api', 'main', 2, 3)],
          run: spec('run-2', [job('job-2', 'api', 'main', 3, 2)], { createdAt: at(4) }),
        });
        expect(second.coalesced).toBe(false);
        expect(second.run).toMatchObject({ id: 'run-2', status: 'queued' });
        expect(second.run?.jobs.map((j) => [j.id, j.sha, j.previousSha])).toEqual([
          ['job-2', sha(3), sha(2)],
        ]);

        const third = await store.recordDetection({
          repositories: ['api'],
          changes: [change('api', 'main', 3, 4)],
          run: spec('run-3', [job('job-3', 'api', 'main', 4, 3)], { createdAt: at(5) }),
        });
        expect(third.coalesced).toBe(true);
        expect(third.run?.id).toBe('run-2');
        expect(third.run?.jobs.map((j) => [j.id, j.sha, j.previousSha])).toEqual([['job-2', sha(4), sha(2)]]);
        // The running run is untouched.
        const running = await store.getRun('run-1');
        expect(running?.status).toBe('running');
        expect(running?.jobs.map((j) => j.sha)).toEqual([sha(2)]);
      });

      it('never merges into a finished run', async () => {
        await queue(store, spec('run-1', [job('job-1', 'api', 'main', 2, 1)]));
        await store.updateRun('run-1', { status: 'succeeded', startedAt: at(2), finishedAt: at(3) });
        const next = await queue(
          store,
          spec('run-2', [job('job-2', 'api', 'main', 3, 2)], { createdAt: at(4) }),
        );
        expect(next.id).toBe('run-2');
        expect((await store.getRun('run-1'))?.jobs.map((j) => j.sha)).toEqual([sha(2)]);
      });

      it('never merges runs of different units', async () => {
        await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1)], { unit: 'group:web' }));
        const result = await store.recordDetection({
          repositories: [],
          changes: [],
          run: spec('run-2', [job('job-2', 'api', 'main', 2)], { unit: 'repository:api' }),
        });
        expect(result.coalesced).toBe(false);
        expect(result.run?.unit).toBe('repository:api');
        expect((await store.getRun('run-1'))?.jobs.map((j) => j.sha)).toEqual([sha(1)]);
        expect(await store.listRuns()).toHaveLength(2);
      });

      it('rejects a run without jobs with STATE_INVALID_RUN and writes nothing', async () => {
        await store.recordDetection({ repositories: ['api'], changes: [change('api', 'main', null, 1)] });
        const input: DetectionInput = {
          repositories: ['api', 'new-repo'],
          changes: [change('api', 'main', 1, 2), change('new-repo', 'main', null, 3)],
          run: spec('run-1', []),
        };
        await expect(store.recordDetection(input)).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
        expect((await store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(1)]);
        await expect(store.getHeads('new-repo')).resolves.toEqual({ seen: false, heads: [] });
        await expect(store.getRun('run-1')).resolves.toBeNull();
        await expect(store.listRuns()).resolves.toEqual([]);
      });

      it('rejects a job id already in use with STATE_INVALID_RUN and writes nothing', async () => {
        await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1)], { unit: 'repository:api' }));
        await store.updateRun('run-1', { status: 'running' });
        const input: DetectionInput = {
          repositories: ['web'],
          changes: [change('web', 'main', null, 5)],
          run: spec('run-2', [job('job-2', 'web', 'main', 5), job('job-1', 'web', 'dev', 6)], {
            unit: 'repository:web',
          }),
        };
        await expect(store.recordDetection(input)).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
        await expect(store.getHeads('web')).resolves.toEqual({ seen: false, heads: [] });
        await expect(store.getRun('run-2')).resolves.toBeNull();
        expect((await store.listRuns()).map((run) => run.id)).toEqual(['run-1']);
      });

      it('rejects the same job id twice in one run with STATE_INVALID_RUN and writes nothing', async () => {
        const input: DetectionInput = {
          repositories: ['web'],
          changes: [change('web', 'main', null, 5)],
          run: spec('run-1', [job('job-1', 'web', 'main', 5), job('job-1', 'web', 'dev', 6)]),
        };
        await expect(store.recordDetection(input)).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
        await expect(store.getHeads('web')).resolves.toEqual({ seen: false, heads: [] });
        await expect(store.listRuns()).resolves.toEqual([]);
      });
    });

    describe('updates', () => {
      it('persists run and job patches, leaving other fields alone', async () => {
        await queue(
          store,
          spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-2', 'web', 'main', 3)]),
        );
        await store.updateRun('run-1', { status: 'running', startedAt: at(10) });
        await store.updateJob('job-1', {
          status: 'succeeded',
          exitCode: 0,
          startedAt: at(10),
          finishedAt: at(12),
          durationMs: 2000,
          output: 'deployed\n',
          error: null,
        });
        await store.updateJob('job-2', { status: 'failed', exitCode: 2, error: 'exit code 2' });
        await store.updateRun('run-1', { status: 'failed', finishedAt: at(13), error: '1 of 2 jobs failed' });

        const run = await store.getRun('run-1');
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
        });
        expect(run?.jobs[1]).toMatchObject({
          id: 'job-2',
          status: 'failed',
          exitCode: 2,
          error: 'exit code 2',
          output: '',
        });
      });

      it('clears a field patched to null', async () => {
        await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1)]));
        await store.updateRun('run-1', { error: 'boom' });
        await store.updateRun('run-1', { error: null });
        await store.updateJob('job-1', { exitCode: 1 });
        await store.updateJob('job-1', { exitCode: null });
        const run = await store.getRun('run-1');
        expect(run?.error).toBeNull();
        expect(run?.jobs[0]?.exitCode).toBeNull();
      });

      it('rejects unknown ids with STATE_NOT_FOUND, and getRun answers null', async () => {
        await expect(store.updateRun('nope', { status: 'running' })).rejects.toMatchObject({
          code: 'STATE_NOT_FOUND',
        });
        await expect(store.updateJob('nope', { status: 'running' })).rejects.toMatchObject({
          code: 'STATE_NOT_FOUND',
        });
        await expect(store.updateRun('nope', {})).rejects.toMatchObject({ code: 'STATE_NOT_FOUND' });
        await expect(store.getRun('nope')).resolves.toBeNull();
      });
    });

    describe('listRuns', () => {
      async function seed(): Promise<void> {
        await queue(
          store,
          spec('r1', [job('j1', 'api', 'main', 1)], { unit: 'repository:api', createdAt: at(1) }),
        );
        await queue(
          store,
          spec('r3', [job('j3', 'web', 'main', 3)], {
            unit: 'group:web',
            createdAt: at(3),
            trigger: 'manual',
          }),
        );
        await queue(
          store,
          spec('r2', [job('j2', 'docs', 'main', 2), job('j2b', 'api', 'dev', 2)], {
            unit: 'group:docs',
            createdAt: at(2),
          }),
        );
        await store.updateRun('r1', { status: 'succeeded' });
        await store.updateRun('r3', { status: 'running' });
      }

      it('lists the most recent first', async () => {
        await seed();
        expect((await store.listRuns()).map((run) => run.id)).toEqual(['r3', 'r2', 'r1']);
      });

      it('breaks ties of createdAt by insertion order, newest first', async () => {
        for (const id of ['a', 'b', 'c']) {
          await queue(
            store,
            spec(id, [job(`job-${id}`, id, 'main', 1)], { unit: `repository:${id}`, createdAt: at(7) }),
          );
        }
        expect((await store.listRuns()).map((run) => run.id)).toEqual(['c', 'b', 'a']);
      });

      it('returns 20 runs by default, and honours limit and offset', async () => {
        for (let i = 0; i < 25; i += 1) {
          await queue(
            store,
            spec(`run-${i}`, [job(`job-${i}`, `repo-${i}`, 'main', i + 1)], {
              unit: `repository:repo-${i}`,
              createdAt: at(i),
            }),
          );
        }
        const all = await store.listRuns();
        expect(all).toHaveLength(20);
        expect(all[0]?.id).toBe('run-24');
        expect(all[19]?.id).toBe('run-5');
        expect((await store.listRuns({ limit: 3 })).map((run) => run.id)).toEqual([
          'run-24',
          'run-23',
          'run-22',
        ]);
        expect((await store.listRuns({ limit: 2, offset: 3 })).map((run) => run.id)).toEqual([
          'run-21',
          'run-20',
        ]);
        expect((await store.listRuns({ limit: 10, offset: 20 })).map((run) => run.id)).toEqual([
          'run-4',
          'run-3',
          'run-2',
          'run-1',
          'run-0',
        ]);
        await expect(store.listRuns({ offset: 30 })).resolves.toEqual([]);
      });

      it('filters by status, unit, repository and trigger', async () => {
        await seed();
        const ids = async (filter: Parameters<StateStore['listRuns']>[0]) =>
          (await store.listRuns(filter)).map((run) => run.id);
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
        const [, r2] = await store.listRuns();
        expect(r2?.jobs.map((j) => [j.id, j.position])).toEqual([
          ['j2', 0],
          ['j2b', 1],
        ]);
      });
    });

    describe('recoverInterrupted', () => {
      /** A crash mid-run: r-old running with one job done, one running, one waiting; r-new queued. */
      async function crashScene(): Promise<void> {
        await queue(
          store,
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
          store,
          spec('r-new', [job('later', 'd', 'main', 4)], { unit: 'group:two', createdAt: at(2) }),
        );
        await queue(
          store,
          spec('r-done', [job('old', 'e', 'main', 5)], { unit: 'group:three', createdAt: at(0) }),
        );
        await store.updateRun('r-done', { status: 'succeeded', startedAt: at(0), finishedAt: at(1) });
        await store.updateJob('old', { status: 'succeeded', exitCode: 0, finishedAt: at(1) });
        await store.updateRun('r-old', { status: 'running', startedAt: at(3) });
        await store.updateJob('done', {
          status: 'succeeded',
          exitCode: 0,
          startedAt: at(3),
          finishedAt: at(4),
          durationMs: 1000,
          output: 'ok\n',
        });
        await store.updateJob('busy', { status: 'running', startedAt: at(4), output: 'half' });
      }

      it('re-queues running and queued runs by default, oldest first', async () => {
        await crashScene();
        const result = await store.recoverInterrupted();
        expect(result.failed).toEqual([]);
        expect(result.requeued.map((run) => run.id)).toEqual(['r-old', 'r-new']);

        const old = await store.getRun('r-old');
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
        expect(old?.jobs[1]).toMatchObject({ id: 'busy', status: 'queued', startedAt: null });
        expect(old?.jobs[2]).toMatchObject({ id: 'wait', status: 'queued', startedAt: null });

        // A run that never started was not interrupted: attempts stay.
        expect(await store.getRun('r-new')).toMatchObject({ status: 'queued', attempts: 0 });
        expect(await store.getRun('r-done')).toMatchObject({ status: 'succeeded', finishedAt: at(1) });

        // Recovering again counts no new interruption.
        const again = await store.recoverInterrupted({ policy: 'requeue' });
        expect(again.requeued.map((run) => [run.id, run.attempts])).toEqual([
          ['r-old', 1],
          ['r-new', 0],
        ]);
      });

      it('counts each interruption of a run that started again', async () => {
        await crashScene();
        await store.recoverInterrupted();
        await store.updateRun('r-old', { status: 'running', startedAt: at(20) });
        const result = await store.recoverInterrupted();
        expect(result.requeued.find((run) => run.id === 'r-old')?.attempts).toBe(2);
      });

      it('marks interrupted runs failed with policy fail, cancelling unfinished jobs', async () => {
        await crashScene();
        const now = at(30);
        const result = await store.recoverInterrupted({ policy: 'fail', now });
        expect(result.requeued).toEqual([]);
        expect(result.failed.map((run) => run.id)).toEqual(['r-old', 'r-new']);

        const old = await store.getRun('r-old');
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
        expect(await store.getRun('r-new')).toMatchObject({ status: 'failed', finishedAt: now });
        expect(await store.getRun('r-done')).toMatchObject({ status: 'succeeded', error: null });
        await expect(store.recoverInterrupted({ policy: 'fail', now })).resolves.toEqual({
          requeued: [],
          failed: [],
        });
      });

      it('finds nothing to recover in an idle store', async () => {
        await expect(store.recoverInterrupted()).resolves.toEqual({ requeued: [], failed: [] });
      });
    });

    describe('isolation', () => {
      it('hands out copies: mutating a returned record does not change the store', async () => {
        await store.recordDetection({ repositories: ['api'], changes: [change('api', 'main', null, 1)] });
        const recorded = await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1)]));
        recorded.status = 'succeeded';
        recorded.jobs[0]!.sha = 'tampered';
        recorded.jobs.push({ ...recorded.jobs[0]!, id: 'ghost' });

        const fetched = await store.getRun('run-1');
        fetched!.error = 'tampered';
        fetched!.jobs[0]!.output = 'tampered';
        const [listed] = await store.listRuns();
        listed!.jobs.length = 0;
        const heads = await store.getHeads('api');
        heads.heads[0]!.sha = 'tampered';
        heads.heads.push({
          repository: 'api',
          branch: 'ghost',
          sha: sha(9),
          updatedAt: at(1),
          deployedSha: null,
        });

        const run = await store.getRun('run-1');
        expect(run).toMatchObject({ status: 'queued', error: null });
        expect(run?.jobs.map((j) => [j.id, j.sha, j.output])).toEqual([['job-1', sha(1), '']]);
        expect((await store.getHeads('api')).heads.map((head) => [head.branch, head.sha])).toEqual([
          ['main', sha(1)],
        ]);
      });

      it('does not keep references to its inputs', async () => {
        const run = spec('run-1', [job('job-1', 'api', 'main', 1)]);
        const changes = [change('api', 'main', null, 1)];
        await store.recordDetection({ repositories: ['api'], changes, run });
        run.jobs[0]!.sha = 'tampered';
        run.jobs.push(job('job-2', 'api', 'dev', 2));
        changes[0]!.after = 'tampered';
        expect((await store.getRun('run-1'))?.jobs.map((j) => j.sha)).toEqual([sha(1)]);
        expect((await store.getHeads('api')).heads.map((head) => head.sha)).toEqual([sha(1)]);
      });

      it('can be closed twice', async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });

    const reopen = options.reopen;
    if (reopen) {
      describe('durability', () => {
        it('declares itself durable', () => {
          expect(store.capabilities.durable).toBe(true);
        });

        it('keeps heads, runs and jobs across close and reopen', async () => {
          await store.recordDetection({
            repositories: ['api', 'empty'],
            changes: [change('api', 'main', null, 1), change('api', 'dev', null, 2)],
          });
          await queue(
            store,
            spec('run-1', [job('job-1', 'api', 'main', 3, 1)], { unit: 'repository:api', createdAt: at(1) }),
          );
          await store.updateRun('run-1', { status: 'succeeded', startedAt: at(2), finishedAt: at(3) });
          await store.updateJob('job-1', {
            status: 'succeeded',
            exitCode: 0,
            output: 'done\n',
            durationMs: 5,
          });
          await queue(
            store,
            spec('run-2', [job('job-2', 'api', 'dev', 4, 2)], { unit: 'repository:api', createdAt: at(4) }),
          );

          const heads = await store.getHeads('api');
          const empty = await store.getHeads('empty');
          const runs = await store.listRuns();
          await store.close();
          store = await reopen();

          await expect(store.getHeads('api')).resolves.toEqual(heads);
          await expect(store.getHeads('empty')).resolves.toEqual(empty);
          await expect(store.getHeads('unknown')).resolves.toEqual({ seen: false, heads: [] });
          await expect(store.listRuns()).resolves.toEqual(runs);
          expect(runs.map((run) => run.id)).toEqual(['run-2', 'run-1']);

          // The queued run is still the unit's queued run: a new change merges into it.
          const merged = await store.recordDetection({
            repositories: ['api'],
            changes: [change('api', 'dev', 4, 5)],
            run: spec('run-3', [job('job-3', 'api', 'dev', 5, 4)], {
              unit: 'repository:api',
              createdAt: at(5),
            }),
          });
          expect(merged.coalesced).toBe(true);
          expect(merged.run?.jobs.map((j) => [j.id, j.sha, j.previousSha])).toEqual([
            ['job-2', sha(5), sha(2)],
          ]);
          // Ids stay taken after a reopen.
          await expect(
            store.recordDetection({
              repositories: [],
              changes: [],
              run: spec('run-4', [job('job-1', 'web', 'main', 1)], { unit: 'repository:web' }),
            }),
          ).rejects.toMatchObject({ code: 'STATE_INVALID_RUN' });
        });

        it('recovers runs a crash left running after a reopen', async () => {
          await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1), job('job-2', 'web', 'main', 2)]));
          await store.updateRun('run-1', { status: 'running', startedAt: at(2) });
          await store.updateJob('job-1', { status: 'succeeded', exitCode: 0, output: 'ok' });
          await store.updateJob('job-2', { status: 'running', startedAt: at(3) });
          await store.close();
          store = await reopen();

          const { requeued } = await store.recoverInterrupted();
          expect(requeued.map((run) => [run.id, run.status, run.attempts])).toEqual([['run-1', 'queued', 1]]);
          expect(requeued[0]?.jobs.map((j) => [j.id, j.status])).toEqual([
            ['job-1', 'succeeded'],
            ['job-2', 'queued'],
          ]);
          await store.close();
          store = await reopen();
          expect((await store.getRun('run-1'))?.attempts).toBe(1);
        });

        it('lets one engine at a time hold the engine lock, when the store has one', async (context) => {
          if (!store.acquireEngineLock) {
            context.skip();
            return;
          }
          const release = await store.acquireEngineLock('first engine');
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
            await expect(store.acquireEngineLock('first engine')).resolves.toBeTypeOf('function');
            await releaseOther();
          } finally {
            await other.close();
          }
        });
      });
    }
  });
}
