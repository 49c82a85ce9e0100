import { createHmac } from 'node:crypto';
import { type GitFixture, gitdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createSentry, type Sentry, type SentryConfigInput } from '../src/index.js';
import type { RunSummary } from '../src/internal.js';
import { captureLogger, type Received, receiver, testPlugin } from './notify-helpers.js';

const SECRET = 'engine-notify-secret-7f3a';

function watched(name: string, fixture: GitFixture, extra: Record<string, unknown> = {}) {
  return {
    name,
    monitor: { repo_url: fixture.url, repo_type: 'git', branches: ['main'] },
    deploy: { executor: 'test' },
    ...extra,
  };
}

async function engine(
  input: Omit<Partial<SentryConfigInput>, 'repositories'> & Pick<SentryConfigInput, 'repositories'>,
  logger = captureLogger(),
): Promise<Sentry> {
  return createSentry({
    config: { polling_interval: 3600, state: { driver: 'memory' }, ...input },
    plugins: [testPlugin()],
    logger,
    env: {},
  });
}

/** Pushes to `fixture`, polls, and waits for the run that deploys the push. */
async function deployPush(sentry: Sentry, fixture: GitFixture): Promise<string> {
  await fixture.commit('main');
  const { runs } = await sentry.pollOnce();
  expect(runs).toHaveLength(1);
  await sentry.waitForRuns([runs[0]!.id]);
  return runs[0]!.id;
}

const summary = (request: Received) => JSON.parse(request.body) as RunSummary;

describe('notifications from a running engine', () => {
  it('sends each run to notifications.urls and to the webhook_url of its own repositories only; close() delivers what is in flight', async () => {
    const [alphaRepo, betaRepo, gammaRepo] = [await gitdir(), await gitdir(), await gitdir()];
    for (const repo of [alphaRepo, betaRepo, gammaRepo]) await repo.commit('main');
    const [everything, alphaHook, betaHook] = [await receiver(), await receiver(), await receiver()];
    const sentry = await engine({
      notifications: { urls: [everything.url] },
      repositories: [
        watched('alpha', alphaRepo, { webhook_url: alphaHook.url }),
        watched('beta', betaRepo, { webhook_url: betaHook.url }),
        // The original Sentry's "no webhook".
        watched('gamma', gammaRepo, { webhook_url: '' }),
      ],
    });
    await sentry.pollOnce(); // baseline: nothing deploys, nothing is sent
    const alphaRun = await deployPush(sentry, alphaRepo);
    const betaRun = await deployPush(sentry, betaRepo);
    await sentry.close();

    expect(everything.requests.map((r) => summary(r).run.id)).toEqual([alphaRun, betaRun]);
    expect(alphaHook.requests.map((r) => summary(r).run.id)).toEqual([alphaRun]);
    expect(betaHook.requests.map((r) => summary(r).run.id)).toEqual([betaRun]);
    expect(summary(alphaHook.requests[0]!).jobs).toEqual([
      expect.objectContaining({
        repository: 'alpha',
        branch: 'main',
        sha: (await alphaRepo.heads()).get('main'),
      }),
    ]);
    expect(summary(betaHook.requests[0]!).run).toMatchObject({ status: 'succeeded', trigger: 'poll' });
    for (const hook of [everything, alphaHook, betaHook]) expect(hook.unexpected).toEqual([]);
  });

  it('a receiver that does not answer never delays the next deploy', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const hook = await receiver((index) => (index === 0 ? 'hold' : { status: 200 }));
    const order: string[] = [];
    hook.onEvent = (what, request) => order.push(`${what} ${summary(request).run.id}`);
    const sentry = await engine({
      notifications: { urls: [hook.url], timeout: 60 },
      repositories: [watched('alpha', repo)],
    });
    sentry.on('run:finish', ({ run }) => order.push(`finished ${run.id}`));
    await sentry.pollOnce();

    const first = await deployPush(sentry, repo);
    const [held] = await hook.waitForRequests(1);
    // The first summary is still waiting for its answer while the next push deploys.
    const second = await deployPush(sentry, repo);
    await hook.waitForRequests(2);
    expect(held!.answered).toBe(false);
    held!.answer(200);
    await sentry.close();

    expect(order).toEqual([
      `finished ${first}`,
      `received ${first}`,
      `finished ${second}`,
      `received ${second}`,
      `answered ${second}`,
      `answered ${first}`,
    ]);
  });

  it('signs with notifications.secret and never sends or logs the secret', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    // The receiver refuses, echoing the secret back: the refusal is logged and reported redacted.
    const hook = await receiver(() => ({ status: 422, body: `signature made with ${SECRET} rejected` }));
    const logger = captureLogger();
    const sentry = await engine(
      {
        notifications: { urls: [hook.url], secret: SECRET, max_retries: 0 },
        // The deploy fails with a message that quotes the secret.
        repositories: [
          watched('alpha', repo, { deploy: { executor: 'test', env: { FAIL: `bad key ${SECRET}` } } }),
        ],
      },
      logger,
    );
    const failures: string[] = [];
    sentry.on('notification:failed', (payload) =>
      failures.push(JSON.stringify({ ...payload, error: payload.error.message })),
    );
    await sentry.pollOnce();
    await deployPush(sentry, repo);
    await sentry.close();

    const [request] = hook.requests;
    expect(request!.headers['x-sentry-signature-256']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(request!.body).digest('hex')}`,
    );
    expect(summary(request!).jobs[0]).toMatchObject({ status: 'failed', error: 'bad key [REDACTED]' });
    expect(request!.body).not.toContain(SECRET);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('answered HTTP 422: signature made with [REDACTED] rejected');
    expect(logger.lines.some((line) => line.includes('notification of run'))).toBe(true);
    expect(logger.lines.join('\n')).not.toContain(SECRET);
    expect(failures.join('\n')).not.toContain(SECRET);
  });

  it("close() waits one attempt's time (notifications.timeout), then abandons the delivery", async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const hook = await receiver(() => 'hold');
    const sentry = await engine({
      // Five retries would keep retrying for seconds; close() does not wait for them.
      notifications: { urls: [hook.url], timeout: 0.2, max_retries: 5 },
      repositories: [watched('alpha', repo)],
    });
    const failures: Array<{ code?: string; attempts: number }> = [];
    sentry.on('notification:failed', ({ error, attempts }) =>
      failures.push({ code: (error as { code?: string }).code, attempts }),
    );
    await sentry.pollOnce();
    const runId = await deployPush(sentry, repo);
    await hook.waitForRequests(1);
    await sentry.close();

    expect(failures).toEqual([{ code: 'NOTIFICATION_ABANDONED', attempts: 1 }]);
    expect(hook.requests.map((request) => summary(request).run.id)).toEqual([runId]);
    await hook.requests[0]!.cutOff;
  });
});
