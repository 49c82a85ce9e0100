import { describe, expect, it } from 'vitest';
import { nextEvent, recordEvents, scriptedForge } from '../src/testing/index.js';
import { controlEngine, SHA } from './control-engine.js';

describe('rerun', () => {
  it('deploys the same repositories, branches and SHAs again, as a new run that asked who', async () => {
    const forge = scriptedForge();
    forge.set('web', 'main', SHA('a'));
    forge.set('api', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    forge.set('web', 'main', SHA('b'));
    forge.set('api', 'main', SHA('b'));
    const [first] = (await sentry.pollOnce()).runs;
    await sentry.waitForRuns([first!.id]);
    forge.set('web', 'main', SHA('c'));
    const [second] = (await sentry.pollOnce()).runs;
    await sentry.waitForRuns([second!.id]);
    const actions = recordEvents(sentry, 'action');

    const rerun = await sentry.rerun(first!.id, { by: 'bob' });
    expect(rerun).toMatchObject({
      unit: 'group:site',
      trigger: 'rerun',
      requestedBy: 'bob',
      status: 'queued',
    });
    // SENTRY_PREVIOUS_COMMIT is what each branch runs now.
    expect(rerun.jobs.map((job) => [job.repository, job.branch, job.sha, job.previousSha])).toEqual([
      ['web', 'main', SHA('b'), SHA('c')],
      ['api', 'main', SHA('b'), SHA('b')],
    ]);
    const [done] = await sentry.waitForRuns([rerun.id]);
    expect(done!.status).toBe('succeeded');
    expect(forge.deployed.slice(-2)).toEqual([
      { repository: 'web', branch: 'main', sha: SHA('b'), previousSha: SHA('c'), trigger: 'rerun' },
      { repository: 'api', branch: 'main', sha: SHA('b'), previousSha: SHA('b'), trigger: 'rerun' },
    ]);
    expect(actions).toEqual([
      expect.objectContaining({ action: 'rerun', by: 'bob', target: `run:${first!.id}`, runs: [rerun.id] }),
    ]);
  });

  it('refuses a run that has not finished, and an unknown one', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    forge.set('app', 'main', SHA('b'));
    const hold = forge.hold();
    const started = nextEvent(sentry, 'job:start');
    const [run] = (await sentry.pollOnce()).runs;
    await started;
    await expect(sentry.rerun(run!.id, { by: 'bob' })).rejects.toMatchObject({
      code: 'RUN_NOT_FINISHED',
      message: expect.stringMatching(/^Cannot re-run run_\w+: it is running\./),
    });
    await expect(sentry.rerun('run_nope', { by: 'bob' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    hold.release();
  });
});

describe('deploy', () => {
  it('deploys a branch at an older SHA (a rollback), never merged with a poll’s run', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    forge.set('app', 'main', SHA('b'));
    await sentry.waitForRuns((await sentry.pollOnce()).runs.map((run) => run.id));
    const actions = recordEvents(sentry, 'action');

    const rollback = await sentry.deploy({
      repository: 'app',
      branch: 'main',
      sha: SHA('A'),
      by: 'dana',
      reason: 'b broke login',
    });
    expect(rollback).toMatchObject({ unit: 'repository:app', trigger: 'deploy', requestedBy: 'dana' });
    expect(rollback.jobs).toEqual([
      expect.objectContaining({ branch: 'main', sha: SHA('a'), previousSha: SHA('b') }),
    ]);
    await sentry.waitForRuns([rollback.id]);
    expect(forge.deployed.at(-1)).toMatchObject({ sha: SHA('a'), trigger: 'deploy' });
    const heads = await sentry.store.getHeads('app');
    // The head stays where the forge has it; what runs now is the rolled-back commit.
    expect(heads.heads).toEqual([
      expect.objectContaining({ branch: 'main', sha: SHA('b'), deployedSha: SHA('a') }),
    ]);
    expect(actions).toEqual([
      expect.objectContaining({
        action: 'deploy',
        by: 'dana',
        target: 'repository:app@main',
        reason: 'b broke login',
        runs: [rollback.id],
      }),
    ]);
  });

  it('without a SHA deploys the head as last polled; a branch never polled is read fresh and recorded', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    forge.set('app', 'main', SHA('b'));
    const atStored = await sentry.deploy({ repository: 'app', branch: 'main', by: 'dana' });
    expect(atStored.jobs[0]).toMatchObject({ sha: SHA('a') });

    forge.set('app', 'release/1', SHA('c'));
    const fresh = await sentry.deploy({ repository: 'app', branch: 'release/1', by: 'dana' });
    expect(fresh.jobs[0]).toMatchObject({ branch: 'release/1', sha: SHA('c'), previousSha: null });
    await sentry.waitForRuns([atStored.id, fresh.id]);
    // The fresh read recorded release/1 only: main's move is still the next poll's to deploy.
    const next = await sentry.pollOnce();
    expect(next.runs.flatMap((run) => run.jobs.map((job) => `${job.branch}@${job.sha}`))).toEqual([
      `main@${SHA('b')}`,
    ]);
  });

  it('deploys a grouped repository as a run of its group', async () => {
    const forge = scriptedForge();
    forge.set('web', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    const run = await sentry.deploy({ repository: 'web', branch: 'main', sha: SHA('d'), by: 'dana' });
    expect(run).toMatchObject({
      unit: 'group:site',
      jobs: [expect.objectContaining({ repository: 'web', sha: SHA('d') })],
    });
  });

  it('says what is wrong with a request, and what to do', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await expect(sentry.deploy({ repository: 'ap', branch: 'main', by: 'dana' })).rejects.toMatchObject({
      code: 'REPOSITORY_NOT_FOUND',
      fix: 'Did you mean "app"?',
    });
    await expect(sentry.deploy({ repository: 'app', branch: 'feature/x', by: 'dana' })).rejects.toMatchObject(
      {
        code: 'BRANCH_NOT_WATCHED',
        message: expect.stringContaining(
          "does not match the repository's monitor.branches (main, release/.*)",
        ),
      },
    );
    await expect(
      sentry.deploy({ repository: 'app', branch: 'main', sha: 'abc123', by: 'dana' }),
    ).rejects.toMatchObject({
      code: 'SHA_INVALID',
      message: expect.stringContaining('"abc123": not a full commit SHA'),
    });
    await expect(sentry.deploy({ repository: 'app', branch: 'release/9', by: 'dana' })).rejects.toMatchObject(
      {
        code: 'BRANCH_HAS_NO_HEAD',
      },
    );
    await expect(sentry.deploy({ repository: 'app', branch: 'main', by: '' })).rejects.toMatchObject({
      code: 'ACTOR_REQUIRED',
    });
    expect(await sentry.store.listRuns()).toEqual([]);
  });
});
