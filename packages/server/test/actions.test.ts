import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { nextEvent } from '@sentry-git/core/testing';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import {
  API_TOKEN,
  bearer,
  call,
  engine,
  lines,
  recordingLogger,
  serve,
  shellRepository,
} from './helpers.js';
import { openEvents, type StreamedEvent } from './streams.js';

const run = promisify(execFile);
const BOT_TOKEN = 'ci-bot-token-for-action-tests-2c7a';

/**
 * app (alone) and lib and tool (group platform), polled once. app's deploy waits for the test to
 * write to a FIFO when `gated`; every deploy appends "branch sha" to the log.
 */
async function setup(options: { gated?: boolean } = {}) {
  const dir = await tempdir();
  const gate = path.join(dir, 'gate');
  await run('mkfifo', [gate]);
  const log = path.join(dir, 'deploys.log');
  const [app, lib, tool] = await Promise.all([1, 2, 3].map(() => gitdir({ branches: ['main'] })));
  const appRepository = shellRepository('app', app!.bare, log);
  const sentry = await engine(
    {
      polling_interval: 3600,
      groups: { platform: { execution_strategy: 'sequential' } },
      repositories: [
        options.gated
          ? {
              ...appRepository,
              deploy: {
                ...appRepository.deploy,
                commands: [`read -r go < "${gate}"`, ...appRepository.deploy.commands],
              },
            }
          : appRepository,
        shellRepository('lib', lib!.bare, log, { group: 'platform' }),
        shellRepository('tool', tool!.bare, log, { group: 'platform' }),
      ],
    },
    { dir },
  );
  await sentry.pollOnce();
  const { logger, lines: logLines } = recordingLogger(sentry);
  const { url } = await serve(sentry, {
    token: API_TOKEN,
    tokens: [{ name: 'ci-bot', token: BOT_TOKEN, role: 'admin' }],
    logger,
  });
  const events = await openEvents(url, { token: API_TOKEN });
  await events.nextBlock();
  function post(route: string, body?: unknown, token = API_TOKEN) {
    return call(`${url}${route}`, {
      method: 'POST',
      headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
  const get = (route: string) => call(`${url}${route}`, { headers: bearer(API_TOKEN) });
  const release = () => writeFile(gate, 'go\n');
  /** The next `action` event of that kind (the test's own `sentry.trigger()` calls emit some too). */
  const nextAction = async (action: string): Promise<StreamedEvent> =>
    (await events.eventsUntil((event) => event.event === 'action' && event.data.action === action)).at(-1)!;
  return { sentry, url, app: app!, lib: lib!, log, logLines, post, get, release, nextAction };
}

describe('POST /api/v1/runs/:id/cancel', () => {
  it('a queued run: cancelled at once, never starts; recorded and logged with who and why', async () => {
    const { sentry, post, release, logLines, nextAction } = await setup({ gated: true });
    const started = nextEvent(sentry, 'job:start');
    const [running] = await sentry.trigger({ repositories: ['app'] });
    await started;
    const [queued] = await sentry.trigger({ repositories: ['app'] });

    const answer = await post(`/api/v1/runs/${queued!.id}/cancel`, { reason: 'wrong commit' }, BOT_TOKEN);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      outcome: 'cancelled',
      run: { id: queued!.id, status: 'cancelled', error: 'cancelled by ci-bot: wrong commit' },
    });
    for (const job of answer.json.run.jobs) expect(job).not.toHaveProperty('output');
    expect(await nextAction('cancel')).toMatchObject({
      data: { action: 'cancel', by: 'ci-bot', target: `run:${queued!.id}`, reason: 'wrong commit' },
    });
    expect(logLines.find((line) => line.action === 'cancel')).toMatchObject({
      by: 'ci-bot',
      runId: queued!.id,
      msg: expect.stringMatching(/^server: ci-bot cancelled run run_\S+ \(it was queued\)$/),
    });
    await release();
    const [first, cancelled] = await sentry.waitForRuns([running!.id, queued!.id]);
    expect(first!.status).toBe('succeeded');
    expect(cancelled!.jobs.every((job) => job.startedAt === null)).toBe(true);
  });

  it('a running run: its job is stopped and the run ends cancelled', async () => {
    const { sentry, post } = await setup({ gated: true });
    const started = nextEvent(sentry, 'job:start');
    const [running] = await sentry.trigger({ repositories: ['app'] });
    await started;
    const answer = await post(`/api/v1/runs/${running!.id}/cancel`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ outcome: 'requested', run: { id: running!.id } });
    const [cancelled] = await sentry.waitForRuns([running!.id]);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelRequest: { by: 'admin', reason: null } });
    expect(cancelled!.jobs[0]!.status).toBe('cancelled');
  });

  it('a finished run: 409 RUN_FINISHED; an unknown one 404; a bad body 400; nothing changes', async () => {
    const { sentry, post } = await setup();
    const [queued] = await sentry.trigger({ repositories: ['lib'] });
    const [finished] = await sentry.waitForRuns([queued!.id]);
    const late = await post(`/api/v1/runs/${finished!.id}/cancel`, { reason: 'too late' });
    expect(late.status).toBe(409);
    expect(late.json.error).toMatchObject({
      code: 'RUN_FINISHED',
      message: expect.stringMatching(/had already finished \(succeeded\): nothing to cancel/),
    });
    expect((await post('/api/v1/runs/run_nope/cancel')).json.error.code).toBe('RUN_NOT_FOUND');
    for (const body of [{ reason: 5 }, { why: 'x' }, ['x'], { reason: 'x'.repeat(1001) }]) {
      const bad = await post(`/api/v1/runs/${finished!.id}/cancel`, body);
      expect(bad.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(bad.json.error.code).toBe('INVALID_REQUEST');
    }
    expect(await sentry.store.getRun(finished!.id)).toEqual(finished);
  });
});

describe('POST /api/v1/runs/:id/rerun', () => {
  it('queues a run of the same unit at the same SHAs, recorded as asked by the token', async () => {
    const { sentry, post, lib, log, nextAction } = await setup();
    const [queued] = await sentry.trigger({ group: 'platform' });
    const [finished] = await sentry.waitForRuns([queued!.id]);
    await lib.commit('main');
    await sentry.pollOnce({ repositories: ['lib'] });
    await sentry.idle();

    const answer = await post(`/api/v1/runs/${finished!.id}/rerun`, undefined, BOT_TOKEN);
    expect(answer.status).toBe(202);
    expect(answer.json.run).toMatchObject({
      unit: 'group:platform',
      trigger: 'rerun',
      requestedBy: 'ci-bot',
    });
    expect(await nextAction('rerun')).toMatchObject({
      data: { action: 'rerun', by: 'ci-bot' },
    });
    const [rerun] = await sentry.waitForRuns([answer.json.run.id]);
    expect(rerun!.status).toBe('succeeded');
    const shas = (record: typeof rerun) => record!.jobs.map((job) => `${job.repository} ${job.sha}`).sort();
    expect(shas(rerun)).toEqual(shas(finished));
    expect(
      (await lines(log)).filter((line) => line === `main ${finished!.jobs[0]!.sha}`).length,
    ).toBeGreaterThan(1);
  });

  it('409 RUN_NOT_FINISHED while it runs, 404 for an unknown run, 400 for a body', async () => {
    const { sentry, post, release } = await setup({ gated: true });
    const started = nextEvent(sentry, 'job:start');
    const [running] = await sentry.trigger({ repositories: ['app'] });
    await started;
    const busy = await post(`/api/v1/runs/${running!.id}/rerun`);
    expect(busy.status).toBe(409);
    expect(busy.json.error.code).toBe('RUN_NOT_FINISHED');
    expect((await post('/api/v1/runs/run_nope/rerun')).status).toBe(404);
    expect((await post(`/api/v1/runs/${running!.id}/rerun`, { now: true })).json.error.code).toBe(
      'INVALID_REQUEST',
    );
    await release();
    await sentry.waitForRuns([running!.id]);
    expect((await sentry.store.listRuns({ trigger: 'rerun' })).length).toBe(0);
  });
});

describe('POST /api/v1/deploy', () => {
  it('deploys a chosen SHA of a branch (a rollback), recorded as asked by the token', async () => {
    const { sentry, post, app, log, nextAction, logLines } = await setup();
    const old = (await app.heads()).get('main')!;
    await app.commit('main');
    await sentry.pollOnce({ repositories: ['app'] });

    const answer = await post('/api/v1/deploy', { repository: 'app', branch: 'main', sha: old });
    expect(answer.status).toBe(202);
    expect(answer.json.run).toMatchObject({
      unit: 'repository:app',
      trigger: 'deploy',
      requestedBy: 'admin',
    });
    expect(answer.json.run.jobs).toMatchObject([{ repository: 'app', branch: 'main', sha: old }]);
    expect(await nextAction('deploy')).toMatchObject({
      data: { action: 'deploy', by: 'admin' },
    });
    expect(logLines.find((line) => line.action === 'deploy')?.msg).toMatch(
      new RegExp(`^server: admin queued a deploy of app main at ${old} \\(run run_\\S+\\)$`),
    );
    const [deployed] = await sentry.waitForRuns([answer.json.run.id]);
    expect(deployed!.status).toBe('succeeded');
    expect(await lines(log)).toContain(`main ${old}`);
  });

  it('refuses a malformed body (400) and what the engine refuses, with its code', async () => {
    const { sentry, post } = await setup();
    for (const body of [
      undefined,
      {},
      { repository: 'app' },
      { repository: 'app', branch: 3 },
      { repository: 'app', branch: 'main', ref: 'x' },
    ]) {
      const answer = await post('/api/v1/deploy', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error).toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('"repository"'),
      });
    }
    const cases: Array<[unknown, string]> = [
      [{ repository: 'nope', branch: 'main' }, 'REPOSITORY_NOT_FOUND'],
      [{ repository: 'app', branch: 'dev' }, 'BRANCH_NOT_WATCHED'],
      [{ repository: 'app', branch: 'main', sha: 'abc' }, 'SHA_INVALID'],
    ];
    for (const [body, code] of cases) {
      const answer = await post('/api/v1/deploy', body);
      expect(answer.status, code).toBeGreaterThanOrEqual(400);
      expect(answer.status, code).toBeLessThan(500);
      expect(answer.json.error.code).toBe(code);
    }
    expect(await sentry.store.listRuns({ trigger: 'deploy' })).toEqual([]);
  });
});

describe('POST /api/v1/pause and /api/v1/resume', () => {
  it('a paused repository records its runs but starts none until resumed; status and pauses show it', async () => {
    const { sentry, post, get, nextAction, logLines } = await setup();
    const paused = await post('/api/v1/pause', { repository: 'app', reason: 'release freeze' }, BOT_TOKEN);
    expect(paused.status).toBe(200);
    expect(paused.json.pause).toEqual({
      unit: 'repository:app',
      by: 'ci-bot',
      reason: 'release freeze',
      at: expect.any(String),
    });
    expect(await nextAction('pause')).toMatchObject({
      data: { action: 'pause', by: 'ci-bot', reason: 'release freeze' },
    });
    expect(logLines.find((line) => line.action === 'pause')?.msg).toBe(
      'server: ci-bot paused repository app: release freeze',
    );
    expect((await get('/api/v1/pauses')).json).toEqual({ pauses: [paused.json.pause] });
    const status = (await get('/api/v1/status')).json;
    expect(status.repositories.find((repo: { name: string }) => repo.name === 'app').paused).toEqual(
      paused.json.pause,
    );
    expect(status.groups).toEqual([
      {
        name: 'platform',
        strategy: 'sequential',
        maxParallel: 5,
        continueOnError: false,
        repositories: ['lib', 'tool'],
        paused: null,
      },
    ]);

    const [waiting] = await sentry.trigger({ repositories: ['app'] });
    // A run of another unit starts and ends meanwhile; the paused one stays queued.
    const [other] = await sentry.trigger({ group: 'platform' });
    await sentry.waitForRuns([other!.id]);
    expect((await sentry.store.getRun(waiting!.id))!.status).toBe('queued');

    const resumed = await post('/api/v1/resume', { repository: 'app' });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toEqual({ unit: 'repository:app', resumed: true, queued: [waiting!.id] });
    const [ran] = await sentry.waitForRuns([waiting!.id]);
    expect(ran!.status).toBe('succeeded');
    expect((await get('/api/v1/pauses')).json).toEqual({ pauses: [] });
    expect((await post('/api/v1/resume', { repository: 'app' })).json).toEqual({
      unit: 'repository:app',
      resumed: false,
      queued: [],
    });
  });

  it('pauses a group; a repository of a group is refused naming the group; bad bodies are 400', async () => {
    const { post, get } = await setup();
    const group = await post('/api/v1/pause', { group: 'platform' });
    expect(group.json.pause).toMatchObject({ unit: 'group:platform', by: 'admin', reason: null });
    expect((await get('/api/v1/status')).json.groups[0].paused).toEqual(group.json.pause);

    const member = await post('/api/v1/pause', { repository: 'lib' });
    expect(member.json.error).toMatchObject({
      code: 'PAUSE_TARGET_IN_GROUP',
      message: expect.stringContaining('platform'),
    });
    expect((await post('/api/v1/pause', { group: 'ghosts' })).json.error.code).toBe('GROUP_NOT_FOUND');
    for (const [route, body] of [
      ['/api/v1/pause', undefined],
      ['/api/v1/pause', {}],
      ['/api/v1/pause', { repository: 'app', group: 'platform' }],
      ['/api/v1/pause', { repository: '' }],
      ['/api/v1/resume', { repository: 'app', reason: 'done' }],
    ] as const) {
      const answer = await post(route, body);
      expect(answer.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.json.error.code).toBe('INVALID_REQUEST');
    }
  });
});

describe('GET /api/v1/plan', () => {
  it('says what a poll would deploy now, per unit, and records nothing', async () => {
    const { sentry, app, get } = await setup();
    const before = await sentry.store.getHeads('app');
    const sha = await app.commit('main');
    const plan = await get('/api/v1/plan?repository=app');
    expect(plan.status).toBe(200);
    expect(plan.json).toMatchObject({
      at: expect.any(String),
      errors: [],
      units: [
        {
          unit: 'repository:app',
          paused: null,
          queued: [],
          changes: [{ repository: 'app', branch: 'main', to: sha, kind: 'updated', deploys: true }],
        },
      ],
    });
    expect(await sentry.store.getHeads('app')).toEqual(before);
    const all = await get('/api/v1/plan');
    expect(all.json.units.map((unit: { unit: string }) => unit.unit).sort()).toEqual([
      'group:platform',
      'repository:app',
    ]);
    expect((await get('/api/v1/plan?repo=app')).json.error.code).toBe('INVALID_QUERY');
  });
});

describe('POST /api/v1/trigger', () => {
  it("records the token's name as who asked, and emits the action", async () => {
    const { sentry, post, nextAction, logLines } = await setup();
    const answer = await post('/api/v1/trigger', { repositories: ['app'] }, BOT_TOKEN);
    expect(answer.status).toBe(202);
    expect(await nextAction('trigger')).toMatchObject({
      data: { action: 'trigger', by: 'ci-bot' },
    });
    const [finished] = await sentry.waitForRuns([answer.json.runs[0].id]);
    expect(finished).toMatchObject({ trigger: 'api', requestedBy: 'ci-bot', status: 'succeeded' });
    expect(logLines.find((line) => line.action === 'trigger')).toMatchObject({ by: 'ci-bot' });
  });
});
