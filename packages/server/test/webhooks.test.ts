import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger, type Sentry } from '@sentry-git/core';
import { nextEvent } from '@sentry-git/core/testing';
import githubPlugin, { signPayload } from '@sentry-git/provider-github';
import { type GitFixture, gitdir, startGitHubServer, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { call, engine, lines, serve, shellRepository } from './helpers.js';

const FORGE_TOKEN = 'ghp_fakeTokenForServerTests0123456789abcd';
const SECRET = 'webhook-secret-for-tests-7d1c';
const ZERO = '0000000000000000000000000000000000000000';

/**
 * A push delivery shaped like GitHub's: the provider-github fixture (from @octokit/webhooks-examples)
 * with the repository moved to forge.invalid/acme/app, and this push's ref, before and after.
 */
function pushPayload(input: {
  ref: string;
  before: string;
  after: string;
  url?: string;
  commits?: number;
}): string {
  const template = JSON.parse(
    readFileSync(path.join(import.meta.dirname, 'fixtures', 'github-push.json'), 'utf8'),
  );
  const url = input.url ?? 'https://forge.invalid/acme/app';
  return JSON.stringify({
    ...template,
    ref: input.ref,
    before: input.before,
    after: input.after,
    compare: `${url}/compare/${input.before.slice(0, 12)}...${input.after.slice(0, 12)}`,
    repository: { ...template.repository, html_url: url, url, clone_url: `${url}.git` },
    head_commit: { ...template.head_commit, id: input.after },
    // A big push lists many commits (GitHub sends up to 2048): that is what makes a body large.
    commits: Array.from({ length: input.commits ?? 1 }, () => ({ ...template.commits[0], id: input.after })),
  });
}

/** The headers GitHub sends with a delivery. */
function githubHeaders(body: string, secret: string, event = 'push'): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/5b3c0f8',
    'x-github-event': event,
    'x-github-delivery': randomUUID(),
    'x-github-hook-id': '470123456',
    'x-hub-signature-256': signPayload(secret, body),
  };
}

interface Setup {
  sentry: Sentry;
  url: string;
  log: string;
  app: GitFixture;
  deliver(body: string, headers: Record<string, string>, provider?: string): ReturnType<typeof call>;
  /** What the server logged (JSON lines). */
  logs: string[];
}

/**
 * app is a GitHub repository (the loopback fake GitHub serving a real bare repository), polled
 * hourly: only the webhook can make it deploy within the test. The engine runs (start()).
 */
async function setup(
  options: { serverSecret?: string; repoSecret?: string; bodyLimit?: number; branches?: string[] } = {},
): Promise<Setup> {
  const dir = await tempdir();
  const log = path.join(dir, 'deploys.log');
  const app = await gitdir({ branches: ['main'] });
  const github = await startGitHubServer({ repos: { 'acme/app': app.bare }, token: FORGE_TOKEN });
  onTestFinished(async () => {
    expect(github.unexpected()).toEqual([]);
    await github.close();
  });
  const sentry = await engine(
    {
      polling_interval: 3600,
      server: {
        ...(options.serverSecret ? { webhook_secret: options.serverSecret } : {}),
        ...(options.bodyLimit ? { body_limit: options.bodyLimit } : {}),
      },
      repositories: [
        shellRepository('app', '', log, {
          monitor: {
            repo_url: 'https://forge.invalid/Acme/app.git',
            repo_type: 'github',
            api_base_url: github.url,
            branches: options.branches ?? ['main'],
            auth: { token: FORGE_TOKEN },
            ...(options.repoSecret ? { webhook_secret: options.repoSecret } : {}),
          },
        }),
      ],
    },
    { plugins: [githubPlugin], dir },
  );
  const baseline = nextEvent(sentry, 'poll:finish');
  await sentry.start();
  await baseline;
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    redactor: sentry.redactor,
    destination: { write: (line: string) => logs.push(line) },
  });
  const { url } = await serve(sentry, { logger });
  const deliver = (body: string, headers: Record<string, string>, provider = 'github') =>
    call(`${url}/webhooks/${provider}`, { method: 'POST', headers, body });
  return { sentry, url, log, app, deliver, logs };
}

/**
 * Proves a refused delivery started nothing: a poll requested now is serialized behind any poll
 * the delivery would have started, so if this one still finds the push, nothing consumed it.
 */
async function assertNothingRan(sentry: Sentry, log: string): Promise<void> {
  const cycles: number[] = [];
  const off = sentry.on('poll:start', ({ cycle }) => cycles.push(cycle));
  const poll = await sentry.pollOnce({ repositories: ['app'] });
  off();
  expect(cycles, 'poll cycles since the refused delivery').toEqual([poll.cycle]);
  expect(poll.runs, 'the push is still new to the engine').toHaveLength(1);
  expect(await lines(log)).toEqual([]);
}

describe('POST /webhooks/github', () => {
  it('a signed push deploys at once (polling_interval 3600); the same SHA by a later poll or a redelivery deploys nothing more', async () => {
    const { sentry, log, app, deliver } = await setup({ serverSecret: SECRET });
    const before = (await app.heads()).get('main')!;
    const after = await app.commit('main');
    const body = pushPayload({ ref: 'refs/heads/main', before, after });

    const finished = nextEvent(sentry, 'run:finish');
    const answer = await deliver(body, githubHeaders(body, SECRET));
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      accepted: true,
      repository: 'app',
      repositories: ['app'],
      branch: 'main',
      after,
    });
    const { run } = await finished;
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'webhook',
      jobs: [{ repository: 'app', branch: 'main', sha: after, previousSha: before }],
    });
    expect(await lines(log)).toEqual([`main ${after}`]);

    // The scheduled poll would see the same head: nothing to deploy.
    expect(await sentry.pollOnce()).toMatchObject({ changed: 0, runs: [] });
    // GitHub redelivers the same push: accepted, polled, nothing new.
    const polled = nextEvent(sentry, 'poll:finish');
    const again = await deliver(body, githubHeaders(body, SECRET));
    expect(again.status).toBe(202);
    expect(await polled).toMatchObject({ changed: 0 });
    await sentry.idle();
    expect(await lines(log)).toEqual([`main ${after}`]);
    expect(await sentry.store.listRuns()).toHaveLength(1);
  });

  it("hands the push's branch and new SHA to the poll, so its comparison starts beside the head probe", async () => {
    const { sentry, app, deliver } = await setup({ serverSecret: SECRET });
    const requests: Array<Parameters<Sentry['pollOnce']>[0]> = [];
    const pollOnce = sentry.pollOnce;
    sentry.pollOnce = (request) => {
      requests.push(request);
      return pollOnce(request);
    };
    const before = (await app.heads()).get('main')!;
    const after = await app.commit('main');
    const body = pushPayload({ ref: 'refs/heads/main', before, after });

    const finished = nextEvent(sentry, 'run:finish');
    expect((await deliver(body, githubHeaders(body, SECRET))).status).toBe(202);
    expect((await finished).run).toMatchObject({ status: 'succeeded', jobs: [{ sha: after }] });
    expect(requests).toEqual([
      { repositories: ['app'], trigger: 'webhook', pushed: { branch: 'main', after } },
    ]);
  });

  it('a bad or missing signature: 401, nothing runs', async () => {
    const { sentry, log, app, deliver, logs } = await setup({ serverSecret: SECRET });
    const before = (await app.heads()).get('main')!;
    const after = await app.commit('main');
    const body = pushPayload({ ref: 'refs/heads/main', before, after });

    const forged = await deliver(body, githubHeaders(body, 'another secret'));
    expect(forged.status).toBe(401);
    expect(forged.json.error).toEqual({
      code: 'WEBHOOK_SIGNATURE_INVALID',
      message: expect.stringMatching(
        /^Webhook refused: X-Hub-Signature-256 does not match the body and the secret\. Fix: Set the same secret/,
      ),
    });
    const { 'x-hub-signature-256': _signature, ...unsigned } = githubHeaders(body, SECRET);
    expect((await deliver(body, unsigned)).status).toBe(401);
    const tampered = body.replace('refs/heads/main', 'refs/heads/main ');
    expect((await deliver(tampered, githubHeaders(body, SECRET))).status).toBe(401);
    expect(forged.text).not.toContain(SECRET);
    expect(logs.join('')).toContain('server: Webhook refused: X-Hub-Signature-256 does not match');
    expect(logs.join('')).not.toContain(SECRET);
    await assertNothingRan(sentry, log);
  });

  it('a body over the limit: 413, nothing runs', async () => {
    const { sentry, log, app, deliver } = await setup({ serverSecret: SECRET, bodyLimit: 64 * 1024 });
    const before = (await app.heads()).get('main')!;
    const after = await app.commit('main');
    const body = pushPayload({ ref: 'refs/heads/main', before, after, commits: 200 });
    expect(Buffer.byteLength(body)).toBeGreaterThan(64 * 1024);
    const answer = await deliver(body, githubHeaders(body, SECRET));
    expect(answer.status).toBe(413);
    expect(answer.json.error.code).toBe('BODY_TOO_LARGE');
    await assertNothingRan(sentry, log);
  });

  it('acknowledges without polling what is not a push to a watched branch of a watched repository', async () => {
    const { sentry, app, deliver, url } = await setup({ serverSecret: SECRET });
    const head = (await app.heads()).get('main')!;
    const polls: number[] = [];
    sentry.on('poll:start', ({ cycle }) => polls.push(cycle));

    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 470123456 });
    const pinged = await deliver(ping, githubHeaders(ping, SECRET, 'ping'));
    expect(pinged).toMatchObject({
      status: 202,
      json: { accepted: false, reason: expect.stringContaining('"ping" event ignored') },
    });

    const other = pushPayload({ ref: 'refs/heads/feature', before: ZERO, after: head });
    expect((await deliver(other, githubHeaders(other, SECRET))).json).toEqual({
      accepted: false,
      reason: 'branch "feature" is not watched by app',
    });
    const tag = pushPayload({ ref: 'refs/tags/v1.0.0', before: ZERO, after: head });
    expect((await deliver(tag, githubHeaders(tag, SECRET))).json).toMatchObject({ accepted: false });
    const elsewhere = pushPayload({
      ref: 'refs/heads/main',
      before: head,
      after: head,
      url: 'https://forge.invalid/acme/other',
    });
    expect((await deliver(elsewhere, githubHeaders(elsewhere, SECRET))).json).toEqual({
      accepted: false,
      reason: 'no watched github repository has the URL https://forge.invalid/acme/other',
    });
    // A delivery GitHub sends as a form (payload=...) is read too, and the form bytes are what is signed.
    const form = new URLSearchParams({ payload: other }).toString();
    const formAnswer = await deliver(form, {
      ...githubHeaders(form, SECRET),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(formAnswer.json).toMatchObject({
      accepted: false,
      reason: 'branch "feature" is not watched by app',
    });
    // Without a content type (raw bytes) the body is still kept and read.
    const { 'content-type': _type, ...untyped } = githubHeaders(other, SECRET);
    const bytes = await call(`${url}/webhooks/github`, {
      method: 'POST',
      headers: untyped,
      body: Buffer.from(other),
    });
    expect(bytes.json).toMatchObject({ accepted: false, reason: 'branch "feature" is not watched by app' });
    // A ping signed with another secret is refused like a push.
    expect((await deliver(ping, githubHeaders(ping, 'another secret', 'ping'))).status).toBe(401);
    // A poll requested now runs after any the deliveries started: it must be the only one.
    const own = await sentry.pollOnce();
    expect(polls).toEqual([own.cycle]);
  });

  it('per-repository secret: a delivery signed with the server secret is refused for that repository', async () => {
    const { sentry, log, app, deliver } = await setup({
      serverSecret: SECRET,
      repoSecret: 'repository-secret-42',
    });
    const before = (await app.heads()).get('main')!;
    const after = await app.commit('main');
    const body = pushPayload({ ref: 'refs/heads/main', before, after });
    expect((await deliver(body, githubHeaders(body, SECRET))).status).toBe(401);
    await assertNothingRan(sentry, log);
    await sentry.idle();
    const third = await app.commit('main');
    const next3 = pushPayload({ ref: 'refs/heads/main', before: after, after: third });
    const finished = nextEvent(sentry, 'run:finish');
    expect((await deliver(next3, githubHeaders(next3, 'repository-secret-42'))).status).toBe(202);
    expect((await finished).run.jobs[0]).toMatchObject({ sha: third });
  });
});

describe('POST /webhooks/:provider, refusals', () => {
  it('unknown provider or one without webhooks: 404; no secret configured: 403', async () => {
    const { deliver } = await setup();
    const body = '{}';
    const unknown = await deliver(body, { 'content-type': 'application/json' }, 'bitbucket');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({
      code: 'UNKNOWN_PROVIDER',
      message: expect.stringContaining('github'),
    });
    const git = await deliver(body, { 'content-type': 'application/json' }, 'git');
    expect(git.status).toBe(404);
    expect(git.json.error.code).toBe('WEBHOOKS_UNSUPPORTED');
    const unsigned = await deliver(body, { 'content-type': 'application/json', 'x-github-event': 'push' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.json.error).toMatchObject({
      code: 'WEBHOOK_SECRET_MISSING',
      message: expect.stringContaining('server.webhook_secret'),
    });
  });
});
