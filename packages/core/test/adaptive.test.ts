import { type GitFixture, gitdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createSentry, type Sentry, type SentryConfigInput } from '../src/index.js';
import { testPlugin } from './notify-helpers.js';

function watched(name: string, fixture: GitFixture, monitor: Record<string, unknown> = {}) {
  return {
    name,
    monitor: { repo_url: fixture.url, repo_type: 'git', branches: ['main'], ...monitor },
    deploy: { executor: 'test' },
  };
}

async function engine(
  input: Omit<Partial<SentryConfigInput>, 'repositories'> & Pick<SentryConfigInput, 'repositories'>,
): Promise<Sentry> {
  const sentry = await createSentry({
    config: { polling_interval: 60, state: { driver: 'memory' }, ...input },
    plugins: [testPlugin()],
    env: {},
  });
  return sentry;
}

/** Effective interval (seconds) of each repository, as `sentry-git status --json` shows it. */
async function intervals(sentry: Sentry): Promise<Record<string, number>> {
  return Object.fromEntries((await sentry.status()).map((repo) => [repo.name, repo.effectiveInterval]));
}

/** Polls once and returns the effective intervals afterwards. */
async function cycle(sentry: Sentry, options?: Parameters<Sentry['pollOnce']>[0]) {
  const result = await sentry.pollOnce(options);
  await sentry.waitForRuns(result.runs.map((run) => run.id));
  return intervals(sentry);
}

describe('adaptive polling', () => {
  it('stretches an idle repository by 1.5 per empty poll up to the maximum, and returns it to the base after a push', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const sentry = await engine({
      global: { max_polling_interval: 300 },
      repositories: [watched('alpha', repo)],
    });
    expect(await intervals(sentry)).toEqual({ alpha: 60 });

    // The first sighting records a baseline: nothing moved, so it counts as idle.
    const idle: number[] = [];
    for (let i = 0; i < 6; i += 1) idle.push((await cycle(sentry)).alpha!);
    expect(idle).toEqual([90, 135, 202.5, 300, 300, 300]);

    await repo.commit('main');
    const afterPush = await sentry.pollOnce();
    expect(afterPush.changed).toBe(1);
    await sentry.waitForRuns(afterPush.runs.map((run) => run.id));
    expect(await intervals(sentry)).toEqual({ alpha: 60 });

    // Quiet again: it stretches again from the base.
    expect(await cycle(sentry)).toEqual({ alpha: 90 });
    await sentry.close();
  });

  it('a webhook-triggered poll and a manual trigger reset the interval even when nothing moved', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const sentry = await engine({
      global: { max_polling_interval: 600 },
      repositories: [watched('alpha', repo)],
    });
    await cycle(sentry);
    expect(await cycle(sentry)).toEqual({ alpha: 135 });

    const webhook = await sentry.pollOnce({ trigger: 'webhook' });
    expect(webhook.changed).toBe(0);
    expect(await intervals(sentry)).toEqual({ alpha: 60 });

    await cycle(sentry);
    expect(await cycle(sentry)).toEqual({ alpha: 135 });
    const runs = await sentry.trigger();
    await sentry.waitForRuns(runs.map((run) => run.id));
    expect(await intervals(sentry)).toEqual({ alpha: 60 });
    await sentry.close();
  });

  it('only the repository that moved returns to its base; each has its own bounds', async () => {
    const [alpha, beta, gamma, delta] = [await gitdir(), await gitdir(), await gitdir(), await gitdir()];
    for (const repo of [alpha, beta, gamma, delta]) await repo.commit('main');
    const sentry = await engine({
      global: { max_polling_interval: 120 },
      repositories: [
        watched('alpha', alpha),
        // Its own maximum beats the global one.
        watched('beta', beta, { max_polling_interval: 1000 }),
        // Its own interval is longer than the global maximum: no stretching, never faster.
        watched('gamma', gamma, { polling_interval: 600 }),
        // Its own interval, stretched up to the global maximum: 100 → 120.
        watched('delta', delta, { polling_interval: 100 }),
      ],
    });
    for (let i = 0; i < 3; i += 1) await cycle(sentry);
    expect(await intervals(sentry)).toEqual({ alpha: 120, beta: 202.5, gamma: 600, delta: 120 });

    await beta.commit('main');
    expect(await cycle(sentry)).toEqual({ alpha: 120, beta: 60, gamma: 600, delta: 120 });
    await sentry.close();
  });

  it('is off unless a maximum is configured', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const sentry = await engine({ repositories: [watched('alpha', repo)] });
    for (let i = 0; i < 4; i += 1) expect(await cycle(sentry)).toEqual({ alpha: 60 });
    await sentry.close();
  });

  it('a failing poll leaves the interval as it was: errors are not idleness', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const sentry = await engine({
      global: { max_polling_interval: 600 },
      repositories: [watched('alpha', repo), watched('broken', { ...repo, url: `${repo.url}-missing` })],
    });
    expect(await cycle(sentry)).toEqual({ alpha: 90, broken: 60 });
    const status = (await sentry.status()).find((entry) => entry.name === 'broken')!;
    expect(status.health.consecutiveFailures).toBe(1);
    expect(await cycle(sentry)).toEqual({ alpha: 135, broken: 60 });
    await sentry.close();
  });
});
