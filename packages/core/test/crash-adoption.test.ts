import { describe, expect, it, onTestFinished } from 'vitest';
import {
  abortMessage,
  createMemoryStateStore,
  createSentry,
  definePlugin,
  type Executor,
  type Job,
  type JobHandle,
  outcomeOfAbort,
  type StateStore,
} from '../src/index.js';
import { endedNow } from '../src/testing/index.js';
import { memoryProvider } from './memory-plugin.js';

const SHA = (digit: string) => digit.repeat(40);

interface Calls {
  executed: Job[];
  adopted: Array<{ job: Job; handle: JobHandle }>;
  released: Array<{ job: Job; handle: JobHandle; statusWhenReleased: string | undefined }>;
}

/** An executor whose execute/adopt are the test's; it records every call. */
function fakeExecutor(
  store: StateStore,
  behaviour: Partial<Pick<Executor, 'execute' | 'adopt'>>,
): { executor: Executor; calls: Calls } {
  const calls: Calls = { executed: [], adopted: [], released: [] };
  const executor: Executor = {
    id: 'fake',
    capabilities: { reattach: true },
    async execute(job, context) {
      calls.executed.push(job);
      return behaviour.execute ? behaviour.execute(job, context) : endedNow('succeeded');
    },
    async adopt(job, handle, context) {
      calls.adopted.push({ job, handle });
      return behaviour.adopt ? behaviour.adopt(job, handle, context) : null;
    },
    async release(job, handle) {
      const run = await store.getRun(job.runId);
      const statusWhenReleased = run?.jobs.find((stored) => stored.id === job.id)?.status;
      calls.released.push({ job, handle, statusWhenReleased });
    },
  };
  return { executor, calls };
}

async function engine(store: StateStore, executor: Executor, global: Record<string, unknown> = {}) {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      global,
      repositories: [
        {
          name: 'app',
          monitor: {
            repo_url: 'https://forge.invalid/app.git',
            repo_type: 'memory-forge',
            branches: ['main'],
          },
          deploy: { executor: 'fake' },
        },
      ],
    },
    stateStore: store,
    plugins: [
      definePlugin({
        name: 'crash-adoption-test',
        providers: [memoryProvider(async () => ({ heads: [{ branch: 'main', sha: SHA('b') }] }))],
        executors: [executor],
      }),
    ],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** A store as a crash leaves it: a run `running`, its job started (attempt 1) with `handle`. */
async function crashedStore(
  handle: JobHandle | null,
): Promise<{ store: StateStore; runId: string; jobId: string }> {
  const store = createMemoryStateStore();
  await store.recordDetection({
    repositories: ['app'],
    changes: [{ repository: 'app', branch: 'main', before: null, after: SHA('b'), kind: 'created' }],
    run: {
      id: 'run-1',
      unit: 'repository:app',
      trigger: 'poll',
      createdAt: new Date().toISOString(),
      jobs: [{ id: 'job-1', repository: 'app', branch: 'main', sha: SHA('b'), previousSha: null }],
    },
  });
  await store.updateRun('run-1', { status: 'running', startedAt: new Date().toISOString() });
  await store.updateJob('job-1', {
    status: 'running',
    startedAt: new Date().toISOString(),
    attempt: 1,
    handle,
  });
  return { store, runId: 'run-1', jobId: 'job-1' };
}

async function finishedRun(sentry: Awaited<ReturnType<typeof engine>>, runId: string) {
  await sentry.pollOnce();
  const [run] = await sentry.waitForRuns([runId]);
  return run!;
}

describe('after a crash, the runner adopts what a job started instead of starting it again', () => {
  it('a job whose work the executor can adopt takes its result, keeps attempt 1, and is released once recorded', async () => {
    const handle = { executor: 'fake', token: 'group-42' };
    const { store, runId } = await crashedStore(handle);
    const { executor, calls } = fakeExecutor(store, { adopt: async () => endedNow('succeeded') });
    const run = await finishedRun(await engine(store, executor), runId);
    expect(run.status).toBe('succeeded');
    expect(run.jobs[0]).toMatchObject({ status: 'succeeded', attempt: 1, handle });
    expect(calls.adopted.map((call) => call.handle)).toEqual([handle]);
    expect(calls.executed).toEqual([]);
    expect(calls.released).toEqual([expect.objectContaining({ handle, statusWhenReleased: 'succeeded' })]);
    expect((await store.getHeads('app')).heads[0]?.deployedSha).toBe(SHA('b'));
  });

  it('a job with nothing left to adopt runs again with attempt 2 and the handle of the new work', async () => {
    const { store, runId } = await crashedStore({ executor: 'fake', token: 'vanished' });
    const fresh = { executor: 'fake', token: 'second' };
    let handleStoredBeforeWork: unknown;
    const { executor, calls } = fakeExecutor(store, {
      async execute(job, context) {
        await context.started!(fresh);
        handleStoredBeforeWork = (await store.getRun(job.runId))?.jobs[0]?.handle;
        return endedNow('succeeded');
      },
    });
    const run = await finishedRun(await engine(store, executor), runId);
    expect(calls.adopted).toHaveLength(1);
    expect(calls.executed).toHaveLength(1);
    expect(handleStoredBeforeWork).toEqual(fresh);
    expect(run.jobs[0]).toMatchObject({ status: 'succeeded', attempt: 2, handle: fresh });
    expect(calls.released.map((call) => call.handle)).toEqual([fresh]);
  });

  it('a job that started without reporting a handle (killed while preparing) runs again with attempt 2', async () => {
    const { store, runId } = await crashedStore(null);
    const { executor, calls } = fakeExecutor(store, {});
    const run = await finishedRun(await engine(store, executor), runId);
    expect(calls.adopted).toEqual([]);
    expect(calls.executed).toHaveLength(1);
    expect(run.jobs[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it("another executor's handle is not adopted", async () => {
    const { store, runId } = await crashedStore({ executor: 'tekton', name: 'pr-1' });
    const { executor, calls } = fakeExecutor(store, {});
    const run = await finishedRun(await engine(store, executor), runId);
    expect(calls.adopted).toEqual([]);
    expect(run.jobs[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
  });
});

describe('a job cancelled by shutdown is queued again; other cancels are not', () => {
  function waiting(store: StateStore) {
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const fake = fakeExecutor(store, {
      async execute(_job, context) {
        await context.started!({ executor: 'fake', token: 'w' });
        started();
        await new Promise<void>((resolve) =>
          context.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        return { ...endedNow(outcomeOfAbort(context.signal)), error: abortMessage(context.signal) };
      },
    });
    return { ...fake, running };
  }

  it('stop() after the grace period: the run ends cancelled, and its job waits in a new queued run (attempt kept)', async () => {
    const store = createMemoryStateStore();
    const { executor, running } = waiting(store);
    const sentry = await engine(store, executor, { deploy_on_first_sight: true });
    const { runs } = await sentry.pollOnce();
    await running;
    await sentry.stop({ graceMs: 0 });
    const cancelled = (await store.getRun(runs[0]!.id))!;
    expect(cancelled).toMatchObject({ status: 'cancelled', jobs: [{ status: 'cancelled', attempt: 1 }] });
    const queued = await store.listRuns({ status: 'queued' });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      unit: 'repository:app',
      trigger: cancelled.trigger,
      jobs: [
        { repository: 'app', branch: 'main', sha: SHA('b'), status: 'queued', attempt: 1, handle: null },
      ],
    });
  });

  it('a job that timed out stays timed out: nothing is queued again', async () => {
    const store = createMemoryStateStore();
    const { executor } = waiting(store);
    const sentry = await engine(store, executor, { deploy_on_first_sight: true, timeout: 0.05 });
    const { runs } = await sentry.pollOnce();
    const [run] = await sentry.waitForRuns([runs[0]!.id]);
    expect(run!.jobs[0]!.status).toBe('timed_out');
    expect(await store.listRuns({ status: 'queued' })).toEqual([]);
  });
});
