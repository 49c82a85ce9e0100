import { forgeRepository, nextEvent, scriptedForge } from '@sentry-git/core/testing';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { exposureWarning, isLoopback } from '../src/loopback.js';
import { API_TOKEN, bearer, call, engine, recordingLogger, serve } from './helpers.js';

const READ_TOKEN = 'read-token-for-auth-tests-0b6d2c';
const BOT_TOKEN = 'ci-bot-token-for-auth-tests-5e8f';
const VIEWER_TOKEN = 'viewer-token-for-auth-tests-91aa';

const SHA = (digit: string) => digit.repeat(40);

/**
 * app's first deploy holds until the test releases it, so one of its runs stays running and the
 * next stays queued; lib (group platform) deploys at once, so it has a finished run.
 */
async function setup() {
  const forge = scriptedForge();
  forge.set('app', 'main', SHA('a'));
  forge.set('lib', 'main', SHA('b'));
  const sentry = await engine(
    {
      polling_interval: 3600,
      groups: { platform: {} },
      repositories: [forgeRepository('app'), forgeRepository('lib', { group: 'platform' })],
    },
    { plugins: [forge.plugin] },
  );
  await sentry.pollOnce();
  const [finished] = await sentry.trigger({ group: 'platform' });
  await sentry.waitForRuns([finished!.id]);
  // The test releases the held run when it is done with it, so the engine closes at once.
  const { release } = forge.hold();
  const started = nextEvent(sentry, 'job:start');
  const [running] = await sentry.trigger({ repositories: ['app'] });
  await started;
  const [queued] = await sentry.trigger({ repositories: ['app'] });
  expect(queued!.status).toBe('queued');
  return { sentry, finished: finished!, running: running!, queued: queued!, release };
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

function routes(ids: { finished: string; queued: string }): { reads: Route[]; actions: Route[] } {
  return {
    reads: [
      { method: 'GET', path: '/api/v1/whoami' },
      { method: 'GET', path: '/api/v1/status' },
      { method: 'GET', path: '/api/v1/runs' },
      { method: 'GET', path: `/api/v1/runs/${ids.finished}` },
      { method: 'GET', path: `/api/v1/runs/${ids.finished}/jobs/lib/log` },
      { method: 'GET', path: '/api/v1/events' },
      { method: 'GET', path: '/api/v1/pauses' },
      { method: 'GET', path: '/api/v1/plan' },
      { method: 'GET', path: '/metrics' },
    ],
    actions: [
      { method: 'POST', path: '/api/v1/trigger', body: { repositories: ['lib'] } },
      { method: 'POST', path: `/api/v1/runs/${ids.queued}/cancel`, body: { reason: 'not now' } },
      { method: 'POST', path: `/api/v1/runs/${ids.finished}/rerun` },
      { method: 'POST', path: '/api/v1/deploy', body: { repository: 'lib', branch: 'main' } },
      { method: 'POST', path: '/api/v1/pause', body: { repository: 'app', reason: 'freeze' } },
      { method: 'POST', path: '/api/v1/resume', body: { group: 'platform' } },
    ],
  };
}

/** One request; an event stream is closed as soon as its status is known. */
async function request(url: string, route: Route, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${url}${route.path}`, {
    method: route.method,
    headers: { ...headers, ...(route.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
    signal: controller.signal,
  });
  const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const text = streaming ? '' : await response.text();
  controller.abort();
  const json = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, text, json };
}

async function snapshot(sentry: Awaited<ReturnType<typeof setup>>['sentry']) {
  const runs = await sentry.store.listRuns({ limit: 100 });
  return {
    runs: runs.map((entry) => ({ id: entry.id, status: entry.status, cancelRequest: entry.cancelRequest })),
    pauses: await sentry.store.listPauses(),
  };
}

describe('with tokens configured', () => {
  it('every read and action without a valid token is 401, an action with a read token 403, and nothing is done', async () => {
    const { sentry, finished, queued, release } = await setup();
    const { url } = await serve(sentry, {
      token: API_TOKEN,
      readToken: READ_TOKEN,
      tokens: [
        { name: 'ci-bot', token: BOT_TOKEN, role: 'admin' },
        { name: 'viewer', token: VIEWER_TOKEN, role: 'read' },
      ],
    });
    const { reads, actions } = routes({ finished: finished.id, queued: queued.id });
    const before = await snapshot(sentry);
    const anonymous: Array<[string, Record<string, string>]> = [
      ['no token', {}],
      ['a wrong token', bearer('not-a-configured-token')],
      ['a token with one character more', bearer(`${API_TOKEN}x`)],
      ['Basic credentials', { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}` }],
      ['an empty Bearer', { authorization: 'Bearer' }],
    ];
    for (const route of [...reads, ...actions]) {
      for (const [label, headers] of anonymous) {
        const answer = await request(url, route, headers);
        expect(answer.status, `${route.method} ${route.path} with ${label}`).toBe(401);
        expect(answer.json.error.code).toBe('UNAUTHORIZED');
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        expect(answer.text).not.toContain(API_TOKEN);
      }
    }
    for (const route of actions) {
      for (const token of [READ_TOKEN, VIEWER_TOKEN]) {
        const answer = await request(url, route, bearer(token));
        expect(answer.status, `${route.method} ${route.path} with a read token`).toBe(403);
        expect(answer.json.error).toMatchObject({
          code: 'FORBIDDEN',
          message: expect.stringMatching(/may only read; this is an action\. Fix: Send an admin token/),
        });
      }
    }
    expect(await snapshot(sentry)).toEqual(before);

    // The token is checked before the body is read: a malformed body is refused for the token.
    for (const [headers, status] of [
      [{}, 401],
      [bearer(READ_TOKEN), 403],
    ] as const) {
      const unparsed = await call(`${url}/api/v1/pause`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{not json',
      });
      expect(unparsed.status).toBe(status);
    }
    // Tokens are never read from the URL.
    expect((await call(`${url}/api/v1/status?access_token=${API_TOKEN}`)).status).toBe(401);
    expect((await call(`${url}/api/v1/status?token=${API_TOKEN}`)).status).toBe(401);
    // An unknown API path needs a token too: it says nothing about what exists.
    expect((await call(`${url}/api/v1/nothing-here`)).status).toBe(401);
    expect((await call(`${url}/api/v1/nothing-here`, { headers: bearer(READ_TOKEN) })).status).toBe(404);
    expect(await snapshot(sentry)).toEqual(before);

    // Reads with any valid token.
    for (const route of reads) {
      for (const token of [READ_TOKEN, VIEWER_TOKEN, API_TOKEN, BOT_TOKEN]) {
        const answer = await request(url, route, bearer(token));
        expect(answer.status, `${route.method} ${route.path}`).toBe(200);
      }
    }
    // Actions with an admin token (what each does is actions.test.ts's).
    const statuses: number[] = [];
    for (const [index, route] of actions.entries()) {
      statuses.push((await request(url, route, bearer(index % 2 === 0 ? API_TOKEN : BOT_TOKEN))).status);
    }
    expect(statuses).toEqual([202, 200, 202, 202, 200, 200]);
    release();
  });

  it('whoami names the token and its role', async () => {
    const { sentry, release } = await setup();
    release();
    const { url } = await serve(sentry, {
      token: API_TOKEN,
      readToken: READ_TOKEN,
      tokens: [
        { name: 'ci-bot', token: BOT_TOKEN, role: 'admin' },
        { name: 'viewer', token: VIEWER_TOKEN, role: 'read' },
      ],
    });
    const whoami = async (token: string) =>
      (await call(`${url}/api/v1/whoami`, { headers: bearer(token) })).json;
    expect(await whoami(API_TOKEN)).toEqual({ name: 'admin', role: 'admin' });
    expect(await whoami(READ_TOKEN)).toEqual({ name: 'read', role: 'read' });
    expect(await whoami(BOT_TOKEN)).toEqual({ name: 'ci-bot', role: 'admin' });
    expect(await whoami(VIEWER_TOKEN)).toEqual({ name: 'viewer', role: 'read' });
  });

  it('probes, webhooks and the console files stay open', async () => {
    const { sentry, release } = await setup();
    release();
    const { url } = await serve(sentry, { token: API_TOKEN, readToken: READ_TOKEN });
    expect((await call(`${url}/healthz`)).status).toBe(200);
    expect([200, 503]).toContain((await call(`${url}/readyz`)).status);
    const webhook = await call(`${url}/webhooks/github`, { method: 'POST', body: '{}' });
    expect(webhook.json.error.code).not.toBe('UNAUTHORIZED');
    for (const file of ['/', '/assets/index.js']) expect((await call(`${url}${file}`)).status).not.toBe(401);
  });

  it('reads the tokens from the configuration and from SENTRY_GIT_API_TOKEN / SENTRY_GIT_READ_TOKEN', async () => {
    const sentry = await engine(
      {
        repositories: [forgeRepository('app')],
        server: { read_token: READ_TOKEN, tokens: [{ name: 'ci-bot', token: BOT_TOKEN, role: 'admin' }] },
      },
      { plugins: [scriptedForge().plugin] },
    );
    const configured = await serve(sentry);
    const who = async (url: string, token: string) =>
      (await call(`${url}/api/v1/whoami`, { headers: bearer(token) })).json;
    expect(await who(configured.url, READ_TOKEN)).toEqual({ name: 'read', role: 'read' });
    expect(await who(configured.url, BOT_TOKEN)).toEqual({ name: 'ci-bot', role: 'admin' });
    expect((await call(`${configured.url}/api/v1/whoami`, { headers: bearer(API_TOKEN) })).status).toBe(401);

    const fromEnv = await serve(sentry, {
      env: { SENTRY_GIT_API_TOKEN: API_TOKEN, SENTRY_GIT_READ_TOKEN: `${READ_TOKEN}-env` },
    });
    expect(await who(fromEnv.url, API_TOKEN)).toEqual({ name: 'admin', role: 'admin' });
    // The configuration's read_token wins over the environment's.
    expect(
      (await call(`${fromEnv.url}/api/v1/whoami`, { headers: bearer(`${READ_TOKEN}-env`) })).status,
    ).toBe(401);
    expect(await who(fromEnv.url, READ_TOKEN)).toEqual({ name: 'read', role: 'read' });
  });

  it('refuses one token value under two names, and redacts tokens given to createServer', async () => {
    const sentry = await engine(
      { repositories: [forgeRepository('app')] },
      { plugins: [scriptedForge().plugin] },
    );
    expect(() =>
      createServer(sentry, { token: API_TOKEN, readToken: API_TOKEN, defaultMetrics: false }),
    ).toThrow(
      expect.objectContaining({
        code: 'SERVER_OPTIONS_INVALID',
        message: expect.stringMatching(/"admin" and "read" have the same value/),
      }),
    );
    expect(() =>
      createServer(sentry, {
        env: {},
        tokens: [
          { name: 'ops', token: BOT_TOKEN, role: 'admin' },
          { name: 'ops', token: VIEWER_TOKEN, role: 'read' },
        ],
        defaultMetrics: false,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'SERVER_OPTIONS_INVALID',
        message: expect.stringMatching(/two tokens are named "ops"/),
      }),
    );
    await serve(sentry, { token: API_TOKEN, tokens: [{ name: 'ci-bot', token: BOT_TOKEN, role: 'admin' }] });
    expect(sentry.redactor.redact(`a ${API_TOKEN} and a ${BOT_TOKEN}`)).toBe('a [REDACTED] and a [REDACTED]');
  });
});

describe('with no token configured', () => {
  it('reads are open (as anonymous), every action is 403 ACTIONS_DISABLED and does nothing', async () => {
    const { sentry, finished, queued, release } = await setup();
    const { url } = await serve(sentry);
    const { reads, actions } = routes({ finished: finished.id, queued: queued.id });
    const before = await snapshot(sentry);
    for (const route of actions) {
      for (const headers of [{}, bearer(API_TOKEN)]) {
        const answer = await request(url, route, headers);
        expect(answer.status, `${route.method} ${route.path}`).toBe(403);
        expect(answer.json.error).toMatchObject({
          code: 'ACTIONS_DISABLED',
          message: expect.stringMatching(/no API token is configured.*server\.token.*SENTRY_GIT_API_TOKEN/),
        });
      }
    }
    expect(await snapshot(sentry)).toEqual(before);
    for (const route of reads) expect((await request(url, route, {})).status, route.path).toBe(200);
    expect((await call(`${url}/api/v1/whoami`)).json).toEqual({ name: 'anonymous', role: 'anonymous' });
    release();
  });
});

describe('listening beyond this machine', () => {
  it('warns at listen when the address is not loopback and no token is configured', async () => {
    const sentry = await engine(
      { repositories: [forgeRepository('app')] },
      { plugins: [scriptedForge().plugin] },
    );
    const cases: Array<[string, Record<string, string>, boolean]> = [
      ['0.0.0.0', {}, true],
      ['0.0.0.0', { SENTRY_GIT_READ_TOKEN: READ_TOKEN }, false],
      ['127.0.0.1', {}, false],
    ];
    for (const [host, env, warns] of cases) {
      const { logger, lines } = recordingLogger(sentry);
      const server = createServer(sentry, { logger, env, defaultMetrics: false });
      await server.listen({ port: 0, host });
      await server.close();
      const warnings = lines.filter((line) => line.level === 40 && /without an API token/.test(line.msg));
      expect(warnings.length, `${host} ${JSON.stringify(env)}`).toBe(warns ? 1 : 0);
      if (warns) {
        expect(warnings[0]!.msg).toMatch(
          /listening on 0\.0\.0\.0 without an API token: anyone who can reach it reads .* Set server\.token or SENTRY_GIT_API_TOKEN .* or bind to 127\.0\.0\.1/,
        );
      }
    }
  });

  it('counts localhost, 127.0.0.0/8 and ::1 as loopback, nothing else', () => {
    for (const host of [
      'localhost',
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      'LOCALHOST',
    ]) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '192.168.1.2',
      'example.com',
      '128.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
    expect(exposureWarning('::', true)).toBeUndefined();
    expect(exposureWarning('::', false)).toMatch(/listening on :: without an API token/);
  });
});
