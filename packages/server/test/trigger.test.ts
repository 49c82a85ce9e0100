import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { nextEvent } from '@sentry-git/core/testing';
import stateSqlite from '@sentry-git/state-sqlite';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { API_TOKEN, call, engine, lines, serve, shellRepository } from './helpers.js';

const run = promisify(execFile);

/** An engine on a real SQLite file, with app (standalone) and lib (group platform), polled once. */
async function setup(options: { commands?: string[]; token?: string; configToken?: string } = {}) {
  const dir = await tempdir();
  const log = path.join(dir, 'deploys.log');
  const app = await gitdir({ branches: ['main'] });
  const lib = await gitdir({ branches: ['main'] });
  const appRepository = shellRepository('app', app.bare, log);
  const sentry = await engine(
    {
      polling_interval: 3600,
      state: { driver: 'sqlite', path: path.join(dir, 'state.db') },
      groups: { platform: {} },
      ...(options.configToken ? { server: { token: options.configToken } } : {}),
      repositories: [
        options.commands
          ? { ...appRepository, deploy: { ...appRepository.deploy, commands: options.commands } }
          : appRepository,
        shellRepository('lib', lib.bare, log, { group: 'platform' }),
      ],
    },
    { plugins: [stateSqlite], dir },
  );
  await sentry.pollOnce();
  const { url } = await serve(sentry, options.token === undefined ? {} : { token: options.token });
  const trigger = (body: unknown, headers: Record<string, string> = {}) =>
    call(`${url}/api/v1/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return { sentry, url, dir, log, app, trigger };
}

const bearer = { authorization: `Bearer ${API_TOKEN}` };

describe('POST /api/v1/trigger', () => {
  it('without a token, or with a wrong one: 401 and no run', async () => {
    const { sentry, url, trigger } = await setup({ token: API_TOKEN });
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer not-the-token' },
      { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${API_TOKEN}x` },
    ];
    for (const headers of cases) {
      const answer = await trigger({ repositories: ['app'] }, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.json.error.code).toBe('UNAUTHORIZED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.text).not.toContain(API_TOKEN);
    }
    // The token is checked before the body is read: a bad body without a token is still 401.
    const unparsed = await call(`${url}/api/v1/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(unparsed.status).toBe(401);
    expect(await sentry.store.listRuns()).toEqual([]);
    expect((await call(`${url}/api/v1/runs`, { headers: bearer })).json.runs).toEqual([]);
  });

  it('with the token: 202 with the run at once, before the deploy ends; the run then shows in /api/v1/runs', async () => {
    // The deploy holds on a FIFO until the test writes to it: the answer cannot wait for it.
    const dir = await tempdir();
    const gate = path.join(dir, 'gate');
    await run('mkfifo', [gate]);
    const { sentry, url, trigger, log, app } = await setup({
      token: API_TOKEN,
      commands: [`read -r go < "${gate}"`, 'echo "$SENTRY_BRANCH $SENTRY_COMMIT" >> "$LOG"'],
    });
    const started = nextEvent(sentry, 'job:start');
    const answer = await trigger({ repositories: ['app'] }, bearer);
    expect(answer.status).toBe(202);
    expect(answer.json.runs).toEqual([
      {
        id: expect.stringMatching(/^run_/),
        unit: 'repository:app',
        status: 'queued',
        url: `/api/v1/runs/${answer.json.runs[0].id}`,
      },
    ]);
    const id: string = answer.json.runs[0].id;
    await started;
    expect((await call(`${url}/api/v1/runs/${id}`, { headers: bearer })).json).toMatchObject({
      status: 'running',
      trigger: 'api',
    });

    await writeFile(gate, 'go\n');
    const [finished] = await sentry.waitForRuns([id]);
    expect(finished).toMatchObject({ status: 'succeeded', trigger: 'api', requestedBy: 'admin' });
    expect(await lines(log)).toEqual([`main ${(await app.heads()).get('main')}`]);
    const listed = await call(`${url}/api/v1/runs?trigger=api`, { headers: bearer });
    expect(listed.json.runs.map((entry: { id: string }) => entry.id)).toEqual([id]);
    expect(listed.json.runs[0]).toMatchObject({ status: 'succeeded', unit: 'repository:app' });
  });

  it('selects a group; unknown repository or group: 400 naming it, no run', async () => {
    const { sentry, trigger } = await setup({ configToken: API_TOKEN });
    const group = await trigger({ group: 'platform' }, bearer);
    expect(group.status).toBe(202);
    expect(group.json.runs).toMatchObject([{ unit: 'group:platform' }]);
    await sentry.waitForRuns([group.json.runs[0].id]);

    const unknownRepository = await trigger({ repositories: ['app', 'nope'] }, bearer);
    expect(unknownRepository.status).toBe(400);
    expect(unknownRepository.json.error).toMatchObject({
      code: 'UNKNOWN_REPOSITORY',
      message: expect.stringContaining('"nope"'),
    });
    const unknownGroup = await trigger({ group: 'ghosts' }, bearer);
    expect(unknownGroup.status).toBe(400);
    expect(unknownGroup.json.error).toMatchObject({
      code: 'UNKNOWN_GROUP',
      message: expect.stringContaining('"ghosts"'),
    });
    expect((await sentry.store.listRuns()).map((entry) => entry.unit)).toEqual(['group:platform']);
  });

  it('refuses a malformed selection with 400 and says what to send', async () => {
    const { trigger } = await setup({ token: API_TOKEN });
    for (const body of [
      [],
      { repositories: 'app' },
      { repositories: [''] },
      { group: 3 },
      { repository: ['app'] },
    ]) {
      const answer = await trigger(body, bearer);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error.code).toBe('INVALID_REQUEST');
      expect(answer.json.error.message).toContain('"repositories"');
    }
  });

  it('no token configured: 403 ACTIONS_DISABLED saying how to configure one; SENTRY_GIT_API_TOKEN is the default', async () => {
    const { sentry, trigger } = await setup();
    const refused = await trigger({}, bearer);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({
      code: 'ACTIONS_DISABLED',
      message: expect.stringMatching(/server\.token.*SENTRY_GIT_API_TOKEN/),
    });
    expect(await sentry.store.listRuns()).toEqual([]);

    const { url } = await serve(sentry, { env: { SENTRY_GIT_API_TOKEN: API_TOKEN } });
    const accepted = await call(`${url}/api/v1/trigger`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ repositories: ['app'] }),
    });
    expect(accepted.status).toBe(202);
    await sentry.waitForRuns([accepted.json.runs[0].id]);
  });
});
