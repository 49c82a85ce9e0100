import { createSentry } from '@sentry-git/core';
// executor-shell is not a dependency of this package (no install here); its source is imported by path.
import shellPlugin from '@sentry-git/executor-shell';
import { gitdir, startGitlabServer } from '@sentry-git/test-utils';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import gitlabPlugin from '../src/index.js';
import { TOKEN } from './helpers.js';

const HOUR_MS = 3_600_000;

/**
 * Waits for a poll cycle while letting the fake clock run on in small steps: a client timer set
 * during the cycle (a retry on a closed keep-alive connection) must fire too. setImmediate is
 * left real so sockets get their turn.
 */
async function settle(cycle: Promise<void>): Promise<void> {
  let done = false;
  void cycle.then(() => {
    done = true;
  });
  while (!done) {
    await vi.advanceTimersByTimeAsync(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('quota budget on GitLab, which charges every request (fake timers: time is the subject)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spreads the polls of four projects over the reset window instead of running the quota dry', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = Date.now();
    const projects = ['acme/a', 'acme/b', 'acme/c', 'acme/d'];
    const repos: Record<string, string> = {};
    for (const project of projects) {
      const fixture = await gitdir();
      await fixture.commit('main');
      repos[project] = fixture.bare;
    }
    // 40 requests an hour; polling four projects every minute would ask for 240.
    const server = await startGitlabServer({
      token: TOKEN,
      repos,
      rateLimit: { limit: 40, remaining: 40, resetAt: new Date(start + HOUR_MS) },
    });
    onTestFinished(() => server.close());
    const sentry = await createSentry({
      config: {
        polling_interval: 60,
        global: { jitter: 0, quota_reserve: 0.1 },
        state: { driver: 'memory' },
        repositories: projects.map((project) => ({
          name: project.replace('/', '-'),
          monitor: {
            repo_url: `https://gitlab.example.invalid/${project}.git`,
            api_base_url: server.apiUrl,
            repo_type: 'gitlab',
            branches: ['main'],
            auth: { token: TOKEN },
          },
          deploy: { commands: ['true'] },
        })),
      },
      plugins: [gitlabPlugin, shellPlugin],
      env: {},
    });
    const errors: unknown[] = [];
    sentry.on('poll:error', (payload) => errors.push(payload));
    let polls = 0;
    const lastPolled = new Map<string, number>();
    sentry.on('poll:start', ({ repositories }) => {
      polls += repositories.length;
      for (const name of repositories) lastPolled.set(name, Date.now() - start);
    });
    let onFinish: () => void = () => {};
    sentry.on('poll:finish', () => onFinish());
    const nextCycle = () => new Promise<void>((resolve) => (onFinish = resolve));

    try {
      let polled = nextCycle();
      await sentry.start();
      await settle(polled);

      // Follow the scheduler's own due times until just before the reset.
      for (;;) {
        const due = Math.min(
          ...(await sentry.status()).map((repo) => Date.parse(repo.health.nextPollAt ?? '')),
        );
        if (due >= start + HOUR_MS - 60_000) break;
        polled = nextCycle();
        await vi.advanceTimersByTimeAsync(Math.max(0, due - Date.now()));
        await settle(polled);
      }

      expect(errors).toEqual([]);
      // The cost of a poll is learnt from the second cycle on; from then the intervals are stretched.
      for (const repo of await sentry.status()) expect(repo.quotaStretch).toBeGreaterThan(1);
      // Every poll was paid for, and a tenth of the quota was left alone.
      expect(server.quotaSpent()).toBeLessThanOrEqual(36);
      // Spread over the window, not spent in the first minutes and then blind until the reset.

      expect(lastPolled.size).toBe(projects.length);
      for (const [name, at] of lastPolled) expect(at, name).toBeGreaterThan(HOUR_MS / 2);
      expect(server.quotaSpent()).toBe(polls);
      // Well below the 240 polls an hour of unstretched intervals, and each project polled all along.
      expect(polls).toBeGreaterThanOrEqual(24);
    } finally {
      await sentry.close({ graceMs: 0 });
    }
  });
});
