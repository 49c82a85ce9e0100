import type { ProviderTarget } from '@sentry-git/core';
import { type FakeServer, startFakeServer } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { insideApiRoot } from '../src/api-root.js';
import { signal, TOKEN, testProvider } from './helpers.js';

const SHA = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

describe('insideApiRoot', () => {
  it.each([
    ['https://api.github.com', 'https://api.github.com/repositories/1/branches?page=2', true],
    ['https://api.github.com', 'https://API.github.com:443/repos/a/b', true],
    ['https://api.github.com', 'http://api.github.com/repos/a/b', false],
    ['https://api.github.com', 'https://api.github.com.evil.example/repos/a/b', false],
    ['http://ghe.local/api/v3', 'http://ghe.local/api/v3/repositories/1/branches?page=2', true],
    ['http://ghe.local/api/v3', 'http://ghe.local/other/repositories/1/branches?page=2', false],
    ['http://ghe.local/api/v3', 'http://ghe.local/api/v3x/repos/a/b', false],
    ['http://ghe.local/api/v3', 'http://ghe.local/api/v3', false],
    ['http://ghe.local/api/v3', 'http://ghe.local/api/v3/../other/x', false],
    ['http://ghe.local/api/v3', 'http://ghe.local/api/v3/%2e%2e/other/x', false],
    ['http://ghe.local/api/v3', 'http://ghe.local:8080/api/v3/repos/a/b', false],
    ['http://ghe.local/api/v3', 'not a url', false],
  ])('%s, %s → %s', (root, url, expected) => {
    expect(insideApiRoot(root, url)).toBe(expected);
    // The same answer for URLs the caller parsed already (the direct requests parse each once).
    if (URL.canParse(url)) expect(insideApiRoot(new URL(root), new URL(url))).toBe(expected);
  });
});

/**
 * A GitHub Enterprise Server whose API root is /api/v3 and whose answers name `outside` as the
 * next page (of the branch list and of a comparison). Anything not under /api/v3 is recorded and
 * answered 404, so a test can see whether the token went there.
 */
async function enterpriseNaming(outside: (origin: string) => string): Promise<FakeServer & { root: string }> {
  let origin = '';
  const link = () => `<${outside(origin)}>; rel="next", <${outside(origin)}>; rel="last"`;
  const server = await startFakeServer([
    {
      name: 'branches',
      method: 'GET',
      pattern: /^\/api\/v3\/repos\/acme\/demo\/branches$/,
      handle: () => ({
        status: 200,
        headers: { link: link(), etag: 'W/"page-1"' },
        body: [{ name: 'main', commit: { sha: SHA } }],
      }),
    },
    {
      name: 'compare',
      method: 'GET',
      pattern: /^\/api\/v3\/repos\/acme\/demo\/compare\/[^/]+$/,
      handle: () => ({
        status: 200,
        headers: { link: link() },
        body: { files: [{ filename: 'a.txt' }], commits: [{ sha: SHA, commit: { message: 'one' } }] },
      }),
    },
  ]);
  origin = server.url;
  onTestFinished(() => server.close());
  return { ...server, root: `${server.url}/api/v3` };
}

const OUTSIDE = {
  'another path on the same origin': (origin: string) => `${origin}/other/repositories/1/branches?page=2`,
  'a dot segment out of the root': (origin: string) => `${origin}/api/v3/../other/branches?page=2`,
  'an encoded dot segment': (origin: string) => `${origin}/api/v3/%2e%2e/other/branches?page=2`,
};

function enterpriseTarget(apiBaseUrl: string): ProviderTarget {
  return {
    repository: 'ghes-demo',
    url: 'https://ghe.example.com/acme/demo',
    type: 'github',
    apiBaseUrl,
    auth: { token: TOKEN },
  };
}

function outsideRequests(server: FakeServer) {
  return server.requests.filter((request) => !request.path.startsWith('/api/v3/'));
}

describe('the token goes only to the API root', () => {
  // The pooled route (the default) and octokit alone (a `fetch` option), whose auth hook would
  // send the token anywhere.
  const routes = {
    direct: {},
    'octokit only': { fetch: (...args: Parameters<typeof fetch>) => fetch(...args) },
  };

  for (const [routeName, providerOptions] of Object.entries(routes)) {
    for (const [caseName, outside] of Object.entries(OUTSIDE)) {
      it(`${routeName}: a branch-list Link to ${caseName} is refused, not asked`, async () => {
        const server = await enterpriseNaming(outside);
        const target = enterpriseTarget(server.root);
        const error = await testProvider(providerOptions)
          .listHeads(target, { match: () => true, signal: signal() })
          .catch((e: unknown) => e as Error & { code?: string });
        expect(outsideRequests(server)).toEqual([]);
        expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE' });
        expect((error as Error).message).toContain(`outside the API root ${server.root}`);
        expect((error as Error).message).toContain('ghes-demo');
        expect((error as Error).message).not.toContain(TOKEN);
        // The first page, under the root, did carry the token.
        expect(server.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);
      });

      it(`${routeName}: a comparison's Link to ${caseName} is refused, not asked`, async () => {
        const server = await enterpriseNaming(outside);
        const target = enterpriseTarget(server.root);
        const error = await testProvider(providerOptions).changedFiles!(target, BASE, SHA, {
          signal: signal(),
          cacheDir: '/nonexistent',
        }).catch((e: unknown) => e as Error & { code?: string });
        expect(outsideRequests(server)).toEqual([]);
        expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE' });
        expect((error as Error).message).toContain(`outside the API root ${server.root}`);
      });
    }
  }
});

/**
 * A GitHub Enterprise Server whose API root is /api/v3 and which redirects the probe of `main`
 * (`commits/heads%2Fmain`) to `to(origin)`; the probe is also answered under
 * /api/v3/repositories/1/ (where GitHub moves a renamed repository's requests). Anything else is
 * recorded and answered 404.
 */
async function enterpriseRedirecting(to: (origin: string) => string): Promise<FakeServer & { root: string }> {
  let origin = '';
  const server = await startFakeServer([
    {
      name: 'probe, redirected',
      method: 'GET',
      pattern: /^\/api\/v3\/repos\/acme\/demo\/commits\/heads%2Fmain$/,
      handle: () => ({ status: 302, headers: { location: to(origin) }, body: { message: 'Moved' } }),
    },
    {
      name: 'probe at the new address',
      method: 'GET',
      pattern: /^\/api\/v3\/repositories\/1\/commits\/heads%2Fmain$/,
      handle: () => ({ status: 200, headers: { 'content-type': 'application/vnd.github.sha' }, body: SHA }),
    },
  ]);
  origin = server.url;
  onTestFinished(() => server.close());
  return { ...server, root: `${server.url}/api/v3` };
}

describe('redirects keep the token under the API root', () => {
  const routes = {
    direct: {},
    'octokit only': { fetch: (...args: Parameters<typeof fetch>) => fetch(...args) },
  };
  const probeMain = { match: (branch: string) => branch === 'main', patterns: ['main'], signal: signal() };

  for (const [routeName, providerOptions] of Object.entries(routes)) {
    it(`${routeName}: a redirect under the root is followed with the token`, async () => {
      const server = await enterpriseRedirecting(
        (origin) => `${origin}/api/v3/repositories/1/commits/heads%2Fmain`,
      );
      const result = await testProvider(providerOptions).listHeads(enterpriseTarget(server.root), probeMain);
      expect(result.heads).toEqual([{ branch: 'main', sha: SHA }]);
      const moved = server.requests.filter((request) => request.path.startsWith('/api/v3/repositories/1/'));
      expect(moved.length).toBeGreaterThan(0);
      for (const request of moved) expect(request.headers.authorization).toBe(`token ${TOKEN}`);
    });

    for (const [caseName, outside] of Object.entries(OUTSIDE)) {
      it(`${routeName}: a redirect to ${caseName} never carries the token`, async () => {
        const server = await enterpriseRedirecting(outside);
        const error = await testProvider(providerOptions)
          .listHeads(enterpriseTarget(server.root), probeMain)
          .then(
            () => null,
            (e: unknown) => e as Error & { code?: string },
          );
        expect(server.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);
        for (const request of outsideRequests(server)) expect(request.headers.authorization).toBeUndefined();
        if (routeName === 'direct') {
          // The pooled route refuses it before asking, as it refuses such a Link.
          expect(outsideRequests(server)).toEqual([]);
          expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE' });
          expect(error!.message).toContain(`outside the API root ${server.root}`);
          expect(error!.message).not.toContain(TOKEN);
        } else {
          // Through octokit the hop goes without the token, and the server answers as to anyone.
          expect(outsideRequests(server).length).toBeGreaterThan(0);
        }
      });
    }
  }
});
