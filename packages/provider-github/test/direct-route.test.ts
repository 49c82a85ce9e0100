import { createRedactor } from '@sentry-git/core';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/call.js';
import { directProbe } from '../src/direct.js';
import { directJson } from '../src/direct-json.js';
import { directPage } from '../src/direct-page.js';
import type { DirectRoute } from '../src/direct-route.js';
import { type GitHubRemote, githubRemote, signal, TOKEN, testProvider } from './helpers.js';

/** A session on the fake GitHub whose octokit must not be needed: every answer is taken directly. */
function directSession(remote: GitHubRemote): { session: Session; route: DirectRoute } {
  const route: DirectRoute = {
    baseUrl: remote.server.url,
    root: new URL(remote.server.url),
    token: TOKEN,
    userAgent: 'sentry-git-test',
    fetch,
    limit: pLimit(4),
  };
  const session: Session = {
    client: () => Promise.reject(new Error('octokit was asked')),
    owner: 'acme',
    repo: 'demo',
    signal: signal(),
    failure: {
      repository: 'gh-demo',
      url: 'https://github.com/acme/demo',
      baseUrl: remote.server.url,
      redactor: createRedactor([TOKEN]),
      retries: 3,
    },
    direct: route,
  };
  return { session, route };
}

/** One request of each direct route: a probe of main, the first list page, a comparison. */
function threeRoutes(
  from: string,
  to: string,
): Record<string, (session: Session, route: DirectRoute) => Promise<unknown>> {
  return {
    probe: (session, route) => directProbe(session, route, 'main', undefined),
    page: (session, route) =>
      directPage(session, route, `${route.baseUrl}/repos/acme/demo/branches`, undefined),
    compare: (session, route) =>
      directJson(session, route, `${route.baseUrl}/repos/acme/demo/compare/${from}...${to}`, 'compare'),
  };
}

describe('the three direct routes record the rate limit alike', () => {
  it('a probe, a branch-list page and a comparison each leave the quota of their answer', async () => {
    const remote = await githubRemote();
    const base = await remote.repo.commit('main');
    const head = await remote.repo.commit('main', { 'b.txt': 'b\n' }, 'head');
    const resetAt = Math.floor(Date.now() / 1000) + 1234;
    const expected = () => {
      const quota = remote.server.quota();
      return {
        limit: quota.limit,
        remaining: quota.remaining,
        resetAt: new Date(resetAt * 1000).toISOString(),
      };
    };
    for (const [name, send] of Object.entries(threeRoutes(base, head))) {
      remote.server.setRateLimit({ limit: 5000, remaining: 4000, resetAt });
      const { session, route } = directSession(remote);
      const answer = await send(session, route);
      expect(answer, name).not.toBeNull();
      expect(session.rateLimit, name).toEqual(expected());
      expect(session.rateLimit?.remaining, name).toBe(3999);
    }
  });

  it('a refused answer still leaves its quota, on every route', async () => {
    const remote = await githubRemote();
    const main = await remote.repo.commit('main');
    const resetAt = Math.floor(Date.now() / 1000) + 600;
    for (const [name, send] of Object.entries(threeRoutes(main, main))) {
      remote.server.setRateLimit({ limit: 5000, remaining: 0, resetAt });
      const { session, route } = directSession(remote);
      await expect(send(session, route), name).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect(session.rateLimit, name).toEqual({
        limit: 5000,
        remaining: 0,
        resetAt: new Date(resetAt * 1000).toISOString(),
      });
    }
  });
});

describe('a 4xx is mapped at once on every direct route, not asked again through octokit', () => {
  it('a probe into a spent quota: RATE_LIMITED after one request per branch', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const resetAt = Math.floor(Date.now() / 1000) + 1800;
    server.setRateLimit({ limit: 5000, remaining: 0, resetAt });
    const error = await testProvider()
      .listHeads(target, { match: () => true, patterns: ['main'], signal: signal() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', resetAt: new Date(resetAt * 1000) });
    expect(server.requests.map((request) => request.status)).toEqual([403]);
  });

  it('a probe with a refused token: PROVIDER_AUTH_FAILED after one request, token redacted', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const wrong = 'ghp_wrongTokenValue0123456789abcdefXYZ';
    const error = await testProvider()
      .listHeads(
        { ...target, auth: { token: wrong } },
        { match: () => true, patterns: ['main'], signal: signal() },
      )
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect((error as Error).message).toContain('Bad credentials');
    expect(JSON.stringify(error)).not.toContain(wrong);
    expect(server.requests.map((request) => request.status)).toEqual([401]);
  });

  it('a comparison of an unknown commit: PROVIDER_NOT_FOUND after one request', async () => {
    const { repo, server, target } = await githubRemote();
    const head = await repo.commit('main');
    const error = await testProvider().changedFiles!(target, 'a'.repeat(40), head, {
      signal: signal(),
      cacheDir: '/nonexistent',
    }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
    expect((error as Error).message).toContain('compare aaaaaaaaaaaa...');
    expect(server.requests.map((request) => request.status)).toEqual([404]);
  });
});
