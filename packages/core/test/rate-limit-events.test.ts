import { describe, expect, it, onTestFinished } from 'vitest';
import { createRateLimitNews } from '../src/engine/rate-limit-news.js';
import { type ChangedFiles, createSentry, definePlugin, type RateLimitInfo } from '../src/index.js';
import { endedNow } from '../src/testing/index.js';
import { memoryProvider } from './memory-plugin.js';

const SHA = 'a'.repeat(40);
const RESET = '2030-01-01T00:00:00.000Z';

/** A forge whose every answer reports the quota `quota.now` holds. */
function meteredForge() {
  const quota: { now: RateLimitInfo } = { now: { limit: 5000, remaining: 3900, resetAt: RESET } };
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

/** A forge whose branch reads report no quota and whose comparisons report `quota`. */
function comparingForge() {
  const heads = new Map<string, string>();
  const quota: RateLimitInfo = { limit: 5000, remaining: 1234, resetAt: RESET };
  const compared: string[] = [];
  const plugin = definePlugin({
    name: 'comparing-forge',
    providers: [
      memoryProvider(
        async (target) => ({ heads: [{ branch: 'main', sha: heads.get(target.repository)! }] }),
        'comparing',
        async (_target, _from, to): Promise<ChangedFiles> => {
          compared.push(to);
          return { files: ['src/app.ts'], commits: [{ sha: to, message: 'change' }], rateLimit: quota };
        },
      ),
    ],
    executors: [
      { id: 'record', capabilities: { reattach: false }, execute: async () => endedNow('succeeded') },
    ],
  });
  return { plugin, heads, quota, compared };
}

describe('ratelimit events', () => {
  it('count the quota a comparison for path filters reports, after a poll and beside a webhook’s', async () => {
    const forge = comparingForge();
    const sentry = await createSentry({
      config: {
        polling_interval: 3600,
        state: { driver: 'memory' },
        repositories: [
          {
            name: 'app',
            monitor: {
              repo_url: 'https://forge.invalid/app.git',
              repo_type: 'comparing',
              branches: ['main'],
              paths: ['src/**'],
            },
            deploy: { executor: 'record' },
          },
        ],
      },
      plugins: [forge.plugin],
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    const seen: Array<{ provider: string; repository: string; rateLimit: RateLimitInfo }> = [];
    sentry.on('ratelimit', (event) => seen.push(event));
    forge.heads.set('app', SHA);
    await sentry.pollOnce();
    // The baseline reads heads only: no quota was reported yet.
    expect(seen).toEqual([]);

    forge.heads.set('app', 'b'.repeat(40));
    const polled = await sentry.pollOnce();
    await sentry.waitForRuns(polled.runs.map((run) => run.id));
    expect(forge.compared).toEqual(['b'.repeat(40)]);
    expect(seen).toEqual([{ provider: 'comparing', repository: 'app', rateLimit: forge.quota }]);

    // The comparison a webhook's push starts beside its poll (early-compare.ts) reports it too.
    forge.quota.remaining = 100;
    forge.heads.set('app', 'c'.repeat(40));
    const pushed = await sentry.pollOnce({
      repositories: ['app'],
      trigger: 'webhook',
      pushed: { branch: 'main', after: 'c'.repeat(40) },
    });
    await sentry.waitForRuns(pushed.runs.map((run) => run.id));
    expect(forge.compared).toEqual(['b'.repeat(40), 'c'.repeat(40)]);
    expect(seen.map((event) => event.rateLimit.remaining)).toEqual([1234, 100]);
  });

  it('are emitted when a quota’s limit or window changes or it crosses a step, not on every poll', async () => {
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
    expect(seen).toEqual([{ limit: 5000, remaining: 3900, resetAt: RESET }]);

    // Every answer one unit less (GitLab, Gitea), within one tenth of the limit: no news.
    for (const remaining of [3899, 3898, 3600, 3501]) {
      quota.now = { ...quota.now, remaining };
      await sentry.pollOnce();
    }
    expect(seen).toHaveLength(1);
    quota.now = { ...quota.now, remaining: 3499 };
    await sentry.pollOnce();
    quota.now = { ...quota.now, resetAt: '2030-01-01T01:00:00.000Z' };
    await sentry.pollOnce();
    quota.now = { ...quota.now, limit: 6000 };
    await sentry.pollOnce();
    expect(seen.map(({ limit, remaining, resetAt }) => `${limit} ${remaining} ${resetAt}`)).toEqual([
      `5000 3900 ${RESET}`,
      `5000 3499 ${RESET}`,
      '5000 3499 2030-01-01T01:00:00.000Z',
      '6000 3499 2030-01-01T01:00:00.000Z',
    ]);
  });

  it('mark each tenth of the limit, the reserve and 0, and a changed quota at least once a refresh', () => {
    const news = createRateLimitNews({ reserve: 0.15, refreshMs: 60_000 });
    const quota = (remaining: number): RateLimitInfo => ({ limit: 1000, remaining, resetAt: RESET });
    const at = (seconds: number) => Date.parse('2029-12-31T23:00:00.000Z') + seconds * 1000;
    expect(news.isNews('gitlab', 'k', quota(1000), at(0))).toBe(true);
    expect(news.isNews('gitlab', 'k', quota(950), at(1))).toBe(false);
    expect(news.isNews('gitlab', 'k', quota(899), at(2))).toBe(true);
    // A minute after the last event, a changed quota is reported even within its step...
    expect(news.isNews('gitlab', 'k', quota(850), at(61))).toBe(false);
    expect(news.isNews('gitlab', 'k', quota(849), at(62))).toBe(true);
    // ...an unchanged one is not.
    expect(news.isNews('gitlab', 'k', quota(849), at(200))).toBe(false);
    // The reserve (150 of 1000) splits the tenth between 100 and 199.
    expect(news.isNews('gitlab', 'k', quota(199), at(201))).toBe(true);
    expect(news.isNews('gitlab', 'k', quota(151), at(202))).toBe(false);
    expect(news.isNews('gitlab', 'k', quota(150), at(203))).toBe(true);
    expect(news.isNews('gitlab', 'k', quota(1), at(204))).toBe(true);
    expect(news.isNews('gitlab', 'k', quota(0), at(205))).toBe(true);
    expect(news.isNews('gitlab', 'k', quota(0), at(400))).toBe(false);
    // A reset time a second off (servers that count seconds until the reset) is the same window.
    const late = { ...quota(0), resetAt: '2030-01-01T00:00:01.000Z' };
    expect(news.isNews('gitlab', 'k', late, at(401))).toBe(false);
  });

  it('keep quotas and providers apart; without a limit each halving is news', () => {
    const news = createRateLimitNews();
    const quota = (remaining: number): RateLimitInfo => ({ limit: 5000, remaining, resetAt: RESET });
    const now = Date.parse('2029-12-31T23:00:00.000Z');
    expect(news.isNews('github', 'token-a', quota(4000), now)).toBe(true);
    expect(news.isNews('github', 'token-a', quota(4000), now)).toBe(false);
    // Another token: its own quota, news the first time.
    expect(news.isNews('github', 'token-b', quota(100), now)).toBe(true);
    expect(news.isNews('github', 'token-b', quota(100), now)).toBe(false);
    expect(news.isNews('github', 'token-a', quota(4000), now)).toBe(false);
    // The same figures from another provider are that provider's news.
    expect(news.isNews('gitlab', 'token-a', quota(4000), now)).toBe(true);
    // Without a limit: 7 and 4 are in one halving, 3 is in the next.
    expect(news.isNews('gitea', 'k', { remaining: 7 }, now)).toBe(true);
    expect(news.isNews('gitea', 'k', { remaining: 4 }, now)).toBe(false);
    expect(news.isNews('gitea', 'k', { remaining: 3 }, now)).toBe(true);
  });
});
