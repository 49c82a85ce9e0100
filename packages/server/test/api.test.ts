import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { API_TOKEN, call, engine, serve, shellRepository } from './helpers.js';

/** The reads need a token once one is configured (auth.test.ts checks every route without one). */
const reader = { headers: { authorization: `Bearer ${API_TOKEN}` } };

async function withHistory() {
  const dir = await tempdir();
  const log = path.join(dir, 'deploys.log');
  const app = await gitdir({ branches: ['main'] });
  const lib = await gitdir({ branches: ['main'] });
  const sentry = await engine(
    {
      polling_interval: 3600,
      groups: { platform: { execution_strategy: 'sequential' } },
      repositories: [
        shellRepository('app', app.bare, log),
        shellRepository('lib', lib.bare, log, { group: 'platform' }),
      ],
    },
    { dir },
  );
  await sentry.pollOnce();
  // Three finished runs of app (manual), one of the platform group (api).
  for (let i = 0; i < 3; i += 1)
    await sentry.waitForRuns((await sentry.trigger({ repositories: ['app'] })).map((run) => run.id));
  await sentry.waitForRuns(
    (await sentry.trigger({ group: 'platform', trigger: 'api' })).map((run) => run.id),
  );
  const { url } = await serve(sentry, { token: API_TOKEN, bodyLimit: 1024 });
  return { sentry, url, app };
}

describe('GET /api/v1/status', () => {
  it("answers the engine's status()", async () => {
    const { sentry, url } = await withHistory();
    const answer = await call(`${url}/api/v1/status`, reader);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(
      JSON.parse(
        JSON.stringify({
          repositories: await sentry.status(),
          groups: [
            {
              name: 'platform',
              strategy: 'sequential',
              maxParallel: 5,
              continueOnError: false,
              repositories: ['lib'],
              paused: null,
            },
          ],
          stateStore: { id: 'memory', writable: true, failedWrites: 0, failingSince: null, lastError: null },
        }),
      ),
    );
    expect(answer.json.repositories.map((repo: { name: string }) => repo.name)).toEqual(['app', 'lib']);
    expect(answer.json.repositories[0]).toMatchObject({ seen: true, lastRun: { status: 'succeeded' } });
  });
});

describe('GET /api/v1/runs', () => {
  it('lists runs newest first without output, pages with a next link, and filters', async () => {
    const { url } = await withHistory();
    const all = await call(`${url}/api/v1/runs`, reader);
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ limit: 20, offset: 0, next: null });
    expect(all.json.runs).toHaveLength(4);
    expect(all.json.runs[0]).toMatchObject({ unit: 'group:platform', trigger: 'api', status: 'succeeded' });
    for (const run of all.json.runs) for (const job of run.jobs) expect(job).not.toHaveProperty('output');

    const first = await call(`${url}/api/v1/runs?repository=app&limit=2`, reader);
    expect(first.json.runs).toHaveLength(2);
    expect(first.json.next).toBe('/api/v1/runs?repository=app&limit=2&offset=2');
    expect(first.headers.get('link')).toBe('</api/v1/runs?repository=app&limit=2&offset=2>; rel="next"');
    const second = await call(`${url}${first.json.next}`, reader);
    expect(second.json).toMatchObject({ offset: 2, next: null });
    expect(second.json.runs).toHaveLength(1);
    const ids = [...first.json.runs, ...second.json.runs].map((run: { id: string }) => run.id);
    expect(new Set(ids).size).toBe(3);

    const byGroup = await call(`${url}/api/v1/runs?group=platform`, reader);
    expect(byGroup.json.runs.map((run: { unit: string }) => run.unit)).toEqual(['group:platform']);
    expect((await call(`${url}/api/v1/runs?trigger=manual`, reader)).json.runs).toHaveLength(3);
    expect((await call(`${url}/api/v1/runs?status=failed,cancelled`, reader)).json.runs).toEqual([]);
    expect((await call(`${url}/api/v1/runs?status=succeeded&status=failed`, reader)).json.runs).toHaveLength(
      4,
    );
  });

  it('filters by unit and by creation time (since), and the next link keeps both', async () => {
    const { url } = await withHistory();
    const all = (await call(`${url}/api/v1/runs`, reader)).json.runs as Array<{
      id: string;
      createdAt: string;
    }>;
    const ids = (runs: Array<{ id: string }>) => runs.map((run) => run.id);
    expect((await call(`${url}/api/v1/runs?unit=repository:app`, reader)).json.runs).toHaveLength(3);
    expect((await call(`${url}/api/v1/runs?unit=group:platform`, reader)).json.runs).toHaveLength(1);

    const cut = all[2]!.createdAt;
    const since = await call(`${url}/api/v1/runs?since=${encodeURIComponent(cut)}&limit=1`, reader);
    expect(ids(since.json.runs)).toEqual([all[0]!.id]);
    expect(since.json.next).toBe(`/api/v1/runs?since=${encodeURIComponent(cut)}&limit=1&offset=1`);
    const rest = await call(`${url}/api/v1/runs?since=${encodeURIComponent(cut)}&offset=1`, reader);
    expect(ids(rest.json.runs)).toEqual(ids(all.filter((run) => run.createdAt >= cut)).slice(1));
    // Another zone, same instant.
    const shifted = new Date(Date.parse(cut)).toISOString().replace('Z', '+00:00');
    expect(
      ids((await call(`${url}/api/v1/runs?since=${encodeURIComponent(shifted)}`, reader)).json.runs),
    ).toEqual(ids(all.filter((run) => run.createdAt >= cut)));
    expect((await call(`${url}/api/v1/runs?since=2999-01-01`, reader)).json.runs).toEqual([]);
    // A duration back from now; the next page's link keeps the time it meant, not the duration.
    const lastHour = await call(`${url}/api/v1/runs?since=1h&limit=1`, reader);
    expect(ids(lastHour.json.runs)).toEqual([all[0]!.id]);
    expect(lastHour.json.next).toMatch(
      /^\/api\/v1\/runs\?since=\d{4}-\d\d-\d\dT[\d%A]+\.\d{3}Z&limit=1&offset=1$/,
    );
    expect((await call(`${url}/api/v1/runs?since=2000-01-01&trigger=rerun`, reader)).json.runs).toEqual([]);
  });

  it('refuses bad parameters with 400 and a message naming them', async () => {
    const { url } = await withHistory();
    const cases: Array<[string, RegExp]> = [
      ['status=bogus', /"status" has the unknown value "bogus".*queued, running/],
      ['limit=0', /"limit" must be a whole number from 1 to 100/],
      ['limit=101', /"limit" must be a whole number from 1 to 100/],
      ['offset=-1', /"offset" must be a whole number/],
      ['repo=app', /Unknown query parameter "repo".*repository/],
      ['trigger=cron', /"trigger" has the unknown value "cron"/],
      ['repository=', /"repository" is empty/],
      [
        'since=yesterday',
        /^Query parameter "since" is "yesterday": neither a duration back from now nor an ISO 8601 date or time with a zone\. Fix: Give a duration \(90s, 30m, 2h, 7d, 1w\)/,
      ],
      ['since=2026-01-05T10:00:00', /"since" is "2026-01-05T10:00:00": neither a duration/],
      ['unit=app', /"unit" has the value "app", not a unit.*group:<name> or repository:<name>/],
      ['group=platform&unit=group:platform', /"group" or "unit", not both/],
    ];
    for (const [query, message] of cases) {
      const answer = await call(`${url}/api/v1/runs?${query}`, reader);
      expect(answer.status, query).toBe(400);
      expect(answer.json.error.code, query).toBe('INVALID_QUERY');
      expect(answer.json.error.message, query).toMatch(message);
    }
  });
});

describe('GET /api/v1/runs/:id', () => {
  it('answers the run with its jobs and their output tails; 404 JSON for an unknown id', async () => {
    const { url, app } = await withHistory();
    const [latest] = (await call(`${url}/api/v1/runs?repository=app&limit=1`, reader)).json.runs;
    const answer = await call(`${url}/api/v1/runs/${latest.id}`, reader);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: latest.id, unit: 'repository:app', status: 'succeeded' });
    expect(answer.json.jobs).toHaveLength(1);
    expect(answer.json.jobs[0]).toMatchObject({
      repository: 'app',
      branch: 'main',
      sha: (await app.heads()).get('main'),
    });
    expect(answer.json.jobs[0].output).toContain('deploying main');

    const missing = await call(`${url}/api/v1/runs/run_does_not_exist`, reader);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: { code: 'RUN_NOT_FOUND', message: expect.stringContaining('No run "run_does_not_exist".') },
    });
  });
});

describe('JSON errors', () => {
  it('answers fastify errors as {error: {code, message}}: unknown route, bad JSON, wrong type, body too large', async () => {
    const { url } = await withHistory();
    const auth = { authorization: `Bearer ${API_TOKEN}` };

    const notFound = await call(`${url}/api/v2/nothing`, reader);
    expect(notFound.status).toBe(404);
    expect(notFound.json.error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('GET /api/v2/nothing'),
    });
    expect((await call(`${url}/healthz`, { method: 'DELETE' })).json.error.code).toBe('NOT_FOUND');

    const badJson = await call(`${url}/api/v1/trigger`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"repositories": [',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json.error.code).toBe('INVALID_JSON');

    const wrongType = await call(`${url}/api/v1/trigger`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/xml' },
      body: '<trigger/>',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const tooLarge = await call(`${url}/api/v1/trigger`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ repositories: ['x'.repeat(2000)] }),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.error).toEqual({
      code: 'BODY_TOO_LARGE',
      message:
        'The request body is larger than 1024 bytes. Fix: Send a smaller body, or raise server.body_limit.',
    });
  });

  it('an unexpected failure is a 500 with code INTERNAL_ERROR, never a stack', async () => {
    const { sentry, url } = await withHistory();
    await sentry.store.close();
    const answer = await call(`${url}/api/v1/runs`, reader);
    expect(answer.status).toBe(500);
    expect(answer.json.error.code).toBe('INTERNAL_ERROR');
    expect(answer.json.error.message).toMatch(/^The server failed to answer: /);
    expect(answer.text).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
