import { describe, expect, it, onTestFinished } from 'vitest';
import { createRateLimitNews } from '../src/engine/rate-limit-news.js';
import { createSentry, definePlugin, type RateLimitInfo } from '../src/index.js';

const SHA = 'a'.repeat(40);
const RESET = '2030-01-01T00:00:00.000Z';

/** A forge whose every answer reports the quota `quota.now` holds. */
function meteredForge() {
  const quota: { now: RateLimitInfo } = { now: { limit: 5000, remaining: 4000, resetAt: RESET } };
  const plugin = definePlugin({
    name: 'metered-forge',
    providers: [
      {
        id: 'metered',
        capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
        async listHeads() {
          return { heads: [{ branch: 'main', sha: SHA }], rateLimit: { ...quota.now } };
        },
      },
    ],
    executors: [
      {
        id: 'nothing',
        capabilities: { reattach: false },
        async execute() {
          throw new Error('nothing changes, so nothing deploys');
        },
      },
    ],
  });
  return { plugin, quota };
}

describe('ratelimit events', () => {
  it('are emitted when a quota’s remaining, limit or reset time changes, not on every poll', async () => {
    const { plugin, quota } = meteredForge();
    const sentry = await createSentry({
      config: {
        polling_interval: 3600,
        state: { driver: 'memory' },
        // One token on one host: both repositories draw on one quota.
        repositories: ['one', 'two'].map((name) => ({
          name,
          monitor: {
            repo_url: `https://forge.invalid/${name}.git`,
            repo_type: 'metered',
            branches: ['main'],
            auth: { token: 'shared-token' },
          },
          deploy: { executor: 'nothing' },
        })),
      },
      plugins: [plugin],
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    const seen: RateLimitInfo[] = [];
    sentry.on('ratelimit', ({ rateLimit }) => seen.push(rateLimit));

    for (let cycle = 0; cycle < 3; cycle += 1) await sentry.pollOnce();
    expect(seen).toEqual([{ limit: 5000, remaining: 4000, resetAt: RESET }]);

    quota.now = { ...quota.now, remaining: 3998 };
    await sentry.pollOnce();
    await sentry.pollOnce();
    quota.now = { ...quota.now, resetAt: '2030-01-01T01:00:00.000Z' };
    await sentry.pollOnce();
    quota.now = { ...quota.now, limit: 6000 };
    await sentry.pollOnce();
    expect(seen.map(({ limit, remaining, resetAt }) => `${limit} ${remaining} ${resetAt}`)).toEqual([
      `5000 4000 ${RESET}`,
      `5000 3998 ${RESET}`,
      '5000 3998 2030-01-01T01:00:00.000Z',
      '6000 3998 2030-01-01T01:00:00.000Z',
    ]);
  });

  it('keep quotas apart, and follow the provider’s last reported remaining (the metrics gauge)', () => {
    const news = createRateLimitNews();
    const quota = (remaining: number): RateLimitInfo => ({ limit: 5000, remaining, resetAt: RESET });
    expect(news.isNews('github', 'token-a', quota(4000))).toBe(true);
    expect(news.isNews('github', 'token-a', quota(4000))).toBe(false);
    // Another token: its own quota, news the first time.
    expect(news.isNews('github', 'token-b', quota(100))).toBe(true);
    expect(news.isNews('github', 'token-b', quota(100))).toBe(false);
    // Unchanged for token A, but the provider's last report said 100: news again.
    expect(news.isNews('github', 'token-a', quota(4000))).toBe(true);
    expect(news.isNews('github', 'token-a', quota(4000))).toBe(false);
    // The same figures from another provider are that provider's news.
    expect(news.isNews('gitlab', 'token-a', quota(4000))).toBe(true);
    // Without a limit or reset time they are compared as they come.
    expect(news.isNews('gitea', 'k', { remaining: 7 })).toBe(true);
    expect(news.isNews('gitea', 'k', { remaining: 7 })).toBe(false);
  });
});
