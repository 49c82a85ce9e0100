import { describe, expect, it } from 'vitest';
import { createMemoryStateStore, RunCancelledError, SentryError } from '../src/index.js';
import { nextEvent, recordEvents, scriptedForge } from '../src/testing/index.js';
import { controlEngine, SHA } from './control-engine.js';

/** `app` baselined at a, then moved to b: a run deploying b is queued and its job holds. */
async function runningRun() {
  const forge = scriptedForge();
  forge.set('app', 'main', SHA('a'));
  const sentry = await controlEngine(forge);
  await sentry.pollOnce();
  forge.set('app', 'main', SHA('b'));
  const hold = forge.hold();
  const started = nextEvent(sentry, 'job:start');
  const [run] = (await sentry.pollOnce()).runs;
  await started;
  return { forge, sentry, hold, run: run! };
}

describe('cancel', () => {
  it('a queued run is cancelled at once and never starts; who asked and why are recorded', async () => {
    const { forge, sentry, hold, run: first } = await runningRun();
    forge.set('app', 'main', SHA('c'));
    const [queued] = (await sentry.pollOnce()).runs;
    const actions = recordEvents(sentry, 'action');
    const finished = nextEvent(sentry, 'run:finish', ({ run }) => run.id === queued!.id);

    const result = await sentry.cancel(queued!.id, { by: 'alice', reason: 'wrong commit' });
    expect(result.outcome).toBe('cancelled');
    expect(result.run).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by alice: wrong commit',
      cancelRequest: { by: 'alice', reason: 'wrong commit' },
    });
    expect(result.run.jobs.map((job) => job.status)).toEqual(['cancelled']);
    expect((await finished).run.status).toBe('cancelled');
    expect(actions).toEqual([
      expect.objectContaining({
        action: 'cancel',
        by: 'alice',
        target: `run:${queued!.id}`,
        runs: [queued!.id],
      }),
    ]);

    hold.release();
    await sentry.waitForRuns([first.id]);
    await sentry.idle();
    expect(forge.deployed.map((job) => job.sha)).toEqual([SHA('b')]);
    expect((await sentry.store.getRun(queued!.id))?.status).toBe('cancelled');
  });

  it('a running run: its job is aborted with a RunCancelledError, ends cancelled, and nothing is queued again', async () => {
    const { forge, sentry, run } = await runningRun();
    const result = await sentry.cancel(run.id, { by: 'alice' });
    expect(result.outcome).toBe('requested');
    expect(result.run.cancelRequest).toMatchObject({ by: 'alice', reason: null });

    const [done] = await sentry.waitForRuns([run.id]);
    expect(done).toMatchObject({ status: 'cancelled', error: 'cancelled by alice' });
    expect(done!.jobs).toEqual([
      expect.objectContaining({ status: 'cancelled', error: 'cancelled by alice' }),
    ]);
    expect(forge.reasons).toEqual([expect.any(RunCancelledError)]);
    await sentry.idle();
    // A cancel is not a shutdown: the job is not queued again.
    expect((await sentry.store.listRuns()).map((stored) => stored.id)).toEqual([run.id]);

    // Cancelling a finished run changes nothing.
    const again = await sentry.cancel(run.id, { by: 'bob' });
    expect(again.outcome).toBe('finished');
    expect(again.run.cancelRequest).toMatchObject({ by: 'alice' });
  });

  it('the jobs of a group run not started yet end cancelled, not skipped', async () => {
    const forge = scriptedForge();
    forge.set('web', 'main', SHA('a'));
    forge.set('api', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    forge.set('web', 'main', SHA('b'));
    forge.set('api', 'main', SHA('b'));
    forge.hold();
    const started = nextEvent(sentry, 'job:start');
    const [run] = (await sentry.pollOnce()).runs;
    await started;
    await sentry.cancel(run!.id, { by: 'alice', reason: 'freeze' });
    const [done] = await sentry.waitForRuns([run!.id]);
    expect(done!.jobs.map((job) => [job.repository, job.status, job.error])).toEqual([
      ['web', 'cancelled', 'cancelled by alice: freeze'],
      ['api', 'cancelled', 'not started: cancelled by alice: freeze'],
    ]);
    expect(forge.deployed.map((job) => job.repository)).toEqual(['web']);
  });

  it('a request written to the store by another process (a CLI without a server) is found and acted on', async () => {
    const { forge, sentry, run } = await runningRun();
    const finished = nextEvent(sentry, 'run:finish', (event) => event.run.id === run.id);
    // What `sentry-git cancel` does when no server runs: the store only.
    const written = await sentry.store.cancelRun(run.id, {
      by: 'carol@laptop',
      at: new Date().toISOString(),
      reason: null,
    });
    expect(written?.outcome).toBe('requested');
    const { run: done } = await finished;
    expect(done).toMatchObject({ status: 'cancelled', error: 'cancelled by carol@laptop' });
    expect(forge.reasons).toEqual([expect.any(RunCancelledError)]);
  });

  it('a run recovered with a cancel request already recorded is cancelled before any job starts', async () => {
    const store = createMemoryStateStore();
    const { run } = await store.recordDetection({
      repositories: [],
      changes: [],
      run: {
        id: 'run_left',
        unit: 'repository:app',
        trigger: 'manual',
        createdAt: new Date().toISOString(),
        jobs: [{ id: 'job_left', repository: 'app', branch: 'main', sha: SHA('a'), previousSha: null }],
      },
    });
    await store.updateRun(run!.id, { status: 'running', startedAt: new Date().toISOString() });
    await store.cancelRun(run!.id, { by: 'alice', at: new Date().toISOString(), reason: 'stop it' });
    // The process that ran it died; a new engine recovers it.
    const forge = scriptedForge();
    const sentry = await controlEngine(forge, { stateStore: store });
    const finished = nextEvent(sentry, 'run:finish');
    await sentry.start();
    const { run: done } = await finished;
    expect(done).toMatchObject({ id: 'run_left', status: 'cancelled', error: 'cancelled by alice: stop it' });
    expect(done.jobs).toEqual([
      expect.objectContaining({ status: 'cancelled', error: 'not started: cancelled by alice: stop it' }),
    ]);
    expect(forge.deployed).toEqual([]);
  });

  it('names what is wrong: an unknown run, nobody asking', async () => {
    const sentry = await controlEngine(scriptedForge());
    await expect(sentry.cancel('run_nope', { by: 'alice' })).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
      message: expect.stringMatching(/^No run "run_nope"\./),
    });
    const error = await sentry.cancel('run_nope', { by: ' ' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SentryError);
    expect(error).toMatchObject({ code: 'ACTOR_REQUIRED' });
  });
});
