import { compileBranchMatcher } from '@sentry-git/core/internal';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  fastImportBranches,
  gitlabRemote,
  PROJECT,
  requestsTo,
  signal,
  TOKEN,
  testProvider,
} from './helpers.js';

const ENCODED_PROJECT = encodeURIComponent(PROJECT);

/** listHeads options for these patterns, as the engine passes them. */
function watching(patterns: string[]) {
  return { match: compileBranchMatcher(patterns), patterns, signal: signal() };
}

function names(count: number, prefix = 'many/'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);
}

describe('listHeads: addressing and pagination', () => {
  it('addresses a nested-group project by its URL-encoded full path and sends PRIVATE-TOKEN', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    const result = await testProvider().listHeads(target, { match: () => true, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    const [request] = requestsTo(server, 'list branches');
    expect(request?.path).toBe(`/api/v4/projects/${ENCODED_PROJECT}/repository/branches`);
    expect(request?.query.get('per_page')).toBe('100');
    expect(request?.headers['private-token']).toBe(TOKEN);
    expect(request?.headers.authorization).toBeUndefined();
    expect(server.unexpected()).toEqual([]);
  });

  it('bounds each request without AbortSignal.timeout or AbortSignal.any (their cost per request)', async () => {
    const { repo, target } = await gitlabRemote();
    const main = await repo.commit('main');
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    const any = vi.spyOn(AbortSignal, 'any');
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    const result = await testProvider().listHeads(target, { match: () => true, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(timeout).not.toHaveBeenCalled();
    expect(any).not.toHaveBeenCalled();
  });

  it('sends the token the target carries now when a repository is polled again with another one', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    const provider = testProvider();
    await provider.listHeads(target, { match: () => true, signal: signal() });
    // The same repository name with a rotated token: the project kept from the first call must not answer.
    const rotated = { ...target, auth: { token: 'glpat-rotated-token-0001' } };
    await provider.listHeads(rotated, { match: () => true, signal: signal() }).catch(() => undefined);
    const sent = requestsTo(server, 'list branches').map((request) => request.headers['private-token']);
    expect(sent.at(0)).toBe(TOKEN);
    expect(sent.at(-1)).toBe('glpat-rotated-token-0001');
  });

  it('sends Authorization: Bearer with authScheme bearer', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    await testProvider({ authScheme: 'bearer' }).listHeads(target, { match: () => true, signal: signal() });
    const [request] = requestsTo(server, 'list branches');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['private-token']).toBeUndefined();
  });

  it('uses a token written into the URL when auth.token is not set', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    const url = target.url.replace('http://', `http://oauth2:${TOKEN}@`);
    const { auth: _auth, ...rest } = target;
    await testProvider().listHeads({ ...rest, url }, { match: () => true, signal: signal() });
    expect(requestsTo(server, 'list branches')[0]?.headers['private-token']).toBe(TOKEN);
  });

  it('honours monitor.api_base_url over the host of repo_url', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    const moved = {
      ...target,
      url: `https://gitlab.invalid/${PROJECT}.git`,
      apiBaseUrl: server.apiUrl,
    };
    const result = await testProvider().listHeads(moved, { match: () => true, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
  });

  it('follows the Link header past 100 branches, per_page=100, to the last page', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    const branches = names(230);
    const shas = await fastImportBranches(repo.bare, branches);
    const result = await testProvider().listHeads(target, {
      match: compileBranchMatcher(['many/.*']),
      signal: signal(),
    });
    expect(result.heads).toHaveLength(230);
    expect(result.heads).toEqual(branches.map((branch, index) => ({ branch, sha: shas[index] })));
    const pages = requestsTo(server, 'list branches');
    expect(pages.map((request) => request.query.get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(pages.every((request) => request.query.get('per_page') === '100')).toBe(true);
    expect(server.unexpected()).toEqual([]);
  });

  it('still lists everything when GitLab leaves out X-Total and rel="last" (large collections)', async () => {
    const { repo, server, target } = await gitlabRemote({ omitTotalsAbove: 50 });
    await fastImportBranches(repo.bare, names(120));
    const result = await testProvider({ perPage: 40 }).listHeads(target, {
      match: () => true,
      signal: signal(),
    });
    expect(result.heads).toHaveLength(120);
    const pages = requestsTo(server, 'list branches');
    expect(pages).toHaveLength(3);
    expect(pages.every((request) => request.query.get('per_page') === '40')).toBe(true);
  });

  it('reports branches whose names hold / and # (feature/#123)', async () => {
    const { repo, target } = await gitlabRemote();
    const issue = await repo.commit('feature/#123');
    await repo.commit('feature/#1234');
    const result = await testProvider().listHeads(target, {
      match: compileBranchMatcher(['feature/#123']),
      signal: signal(),
    });
    expect(result.heads).toEqual([{ branch: 'feature/#123', sha: issue }]);
  });

  it('reports the quota from the RateLimit-* headers of the last answer', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000 + 60) * 1000);
    const { repo, target } = await gitlabRemote({ rateLimit: { limit: 2000, remaining: 1500, resetAt } });
    await repo.commit('main');
    const result = await testProvider().listHeads(target, { match: () => true, signal: signal() });
    expect(result.rateLimit).toEqual({ limit: 2000, remaining: 1499, resetAt: resetAt.toISOString() });
    expect(result.notModified).toBeUndefined();
  });

  it('reaches a public project without a token', async () => {
    const { repo, server, target } = await gitlabRemote({ auth: false });
    const main = await repo.commit('main');
    const result = await testProvider().listHeads(target, { match: () => true, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    const [request] = requestsTo(server, 'list branches');
    expect(request?.headers['private-token']).toBeUndefined();
  });
});

describe('listHeads: regex patterns', () => {
  it('asks the list with the patterns as GitLab’s RE2 regex filter: one request, only matching branches', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    const release = await repo.commit('release/2.0');
    await repo.commit('prerelease/2.0');
    await fastImportBranches(repo.bare, names(230));
    const provider = testProvider();
    // RE2 spellings JavaScript's RegExp does not have: (?i) scoped to its pattern, \Q...\E.
    const patterns = ['release/.*', '(?i)MAIN', '\\Qhot+fix\\E'];
    const options = watching(patterns);
    expect((await provider.listHeads(target, options)).heads).toEqual([
      { branch: 'main', sha: main },
      { branch: 'release/2.0', sha: release },
    ]);
    const lists = requestsTo(server, 'list branches');
    expect(lists).toHaveLength(1);
    expect(lists[0]?.query.get('regex')).toBe('^(?:(?:release/.*)|(?:(?i)MAIN)|(?:\\Qhot+fix\\E))$');
    expect(server.unexpected()).toEqual([]);
  });

  it('lists every branch once GitLab refuses the filter (400), and does not ask it again', async () => {
    const { repo, server, target } = await gitlabRemote();
    const release = await repo.commit('release/2.0');
    await fastImportBranches(repo.bare, names(150));
    server.fault({
      status: 400,
      path: /\/repository\/branches$/,
      body: { error: 'regex is invalid' },
      times: 1,
    });
    const provider = testProvider();
    const patterns = ['release/.*'];
    const options = watching(patterns);
    for (let i = 0; i < 2; i += 1) {
      expect((await provider.listHeads(target, options)).heads).toEqual([
        { branch: 'release/2.0', sha: release },
      ]);
    }
    const lists = requestsTo(server, 'list branches');
    // The refused ask is answered by the fault, not the route: 2 pages, then 2 again.
    expect(lists.map((request) => request.query.has('regex'))).toEqual([false, false, false, false]);
    expect(server.requests[0]?.query.get('regex')).toBe('^(?:(?:release/.*))$');
    expect(server.requests).toHaveLength(5);
    expect(server.unexpected()).toEqual([]);
  });
});

describe('listHeads: literal branch names', () => {
  it('asks the list for exactly the watched names with the regex filter: one request, only those branches', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    const odd = await repo.commit('release/1.2+x');
    await repo.commit('release/1x2+x');
    await fastImportBranches(repo.bare, names(150));
    const provider = testProvider();
    const patterns = ['main', 'release/1\\.2\\+x', 'gone'];
    const options = watching(patterns);
    for (let i = 0; i < 2; i += 1) {
      expect((await provider.listHeads(target, options)).heads).toEqual([
        { branch: 'main', sha: main },
        { branch: 'release/1.2+x', sha: odd },
      ]);
    }
    const lists = requestsTo(server, 'list branches');
    expect(lists).toHaveLength(2);
    expect(lists.map((request) => request.query.get('regex'))).toEqual([
      '^(?:main|release/1\\.2\\+x|gone)$',
      '^(?:main|release/1\\.2\\+x|gone)$',
    ]);
    expect(requestsTo(server, 'get branch')).toHaveLength(0);
    expect(server.unexpected()).toEqual([]);
  });

  it('notices a GitLab that ignores the regex filter and falls back to listing or probing', async () => {
    const { repo, server, target } = await gitlabRemote({ branchFilters: false });
    const main = await repo.commit('main');
    await fastImportBranches(repo.bare, names(260));
    const provider = testProvider();
    const options = watching(['main']);
    // The filtered ask comes back with every branch (3 pages): that server is remembered...
    expect((await provider.listHeads(target, options)).heads).toEqual([{ branch: 'main', sha: main }]);
    expect(requestsTo(server, 'list branches')).toHaveLength(3);
    // ...and from then on one name is read on its own, without the filter.
    expect((await provider.listHeads(target, options)).heads).toEqual([{ branch: 'main', sha: main }]);
    expect(requestsTo(server, 'list branches')).toHaveLength(3);
    expect(requestsTo(server, 'get branch')).toHaveLength(1);
    expect(server.unexpected()).toEqual([]);
  });

  it('probes names once a listing showed that takes fewer requests, and lists when it does not', async () => {
    const { repo, server, target } = await gitlabRemote({ branchFilters: false });
    const main = await repo.commit('main');
    const issue = await repo.commit('feature/#123');
    await fastImportBranches(repo.bare, names(260));
    const provider = testProvider();
    const patterns = ['main', 'feature/#123', 'gone'];
    const options = watching(patterns);

    // First call: nothing known about the project yet, so it lists (3 pages).
    expect((await provider.listHeads(target, options)).heads).toEqual([
      { branch: 'feature/#123', sha: issue },
      { branch: 'main', sha: main },
    ]);
    expect(requestsTo(server, 'list branches')).toHaveLength(3);

    // Second call: 3 names < 3 pages is false, so it still lists.
    await provider.listHeads(target, options);
    expect(requestsTo(server, 'list branches')).toHaveLength(6);
    expect(requestsTo(server, 'get branch')).toHaveLength(0);

    // Two names < 3 pages: each name is read on its own, a missing one is simply absent.
    const fewer = ['feature/#123', 'gone'];
    const probed = await provider.listHeads(target, watching(fewer));
    expect(probed.heads).toEqual([{ branch: 'feature/#123', sha: issue }]);
    expect(requestsTo(server, 'list branches')).toHaveLength(6);
    const probes = requestsTo(server, 'get branch');
    expect(probes.map((request) => request.path)).toEqual([
      `/api/v4/projects/${ENCODED_PROJECT}/repository/branches/feature%2F%23123`,
      `/api/v4/projects/${ENCODED_PROJECT}/repository/branches/gone`,
    ]);
    expect(probes.map((request) => request.status)).toEqual([200, 404]);

    // A moved head is seen by the probe.
    const moved = await repo.commit('feature/#123');
    const again = await provider.listHeads(target, watching(fewer));
    expect(again.heads).toEqual([{ branch: 'feature/#123', sha: moved }]);
    expect(server.unexpected()).toEqual([]);
  });

  it('never probes regex patterns (their filter lists once), and not at all with probeLiteralBranches: false', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    await fastImportBranches(repo.bare, names(150));
    const regexProvider = testProvider();
    for (let i = 0; i < 2; i += 1) {
      await regexProvider.listHeads(target, watching(['ma.n']));
    }
    const off = testProvider({ probeLiteralBranches: false });
    for (let i = 0; i < 2; i += 1) {
      await off.listHeads(target, watching(['main']));
    }
    expect(requestsTo(server, 'get branch')).toHaveLength(0);
    // 2 filtered asks for `ma.n`, 2 × 2 unfiltered pages with the option off.
    expect(requestsTo(server, 'list branches')).toHaveLength(6);
  });

  it('tells a missing project (404 Project Not Found) from a missing branch while probing', async () => {
    const { repo, server, target } = await gitlabRemote({ branchFilters: false });
    await repo.commit('main');
    await fastImportBranches(repo.bare, names(150));
    const provider = testProvider();
    const options = watching(['main']);
    await provider.listHeads(target, options);
    const error = await provider
      .listHeads({ ...target, url: target.url.replace('rag-service', 'other') }, options)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
    expect(server.unexpected()).toEqual([]);
  });
});

describe('listHeads: answers with the bytes of the last one', () => {
  /** How often JSON.parse runs during `work`. */
  async function parsesDuring(work: () => Promise<unknown>): Promise<number> {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      await work();
      return parse.mock.calls.length;
    } finally {
      parse.mockRestore();
    }
  }

  it('gives the heads of an unchanged page without parsing it again, and parses the page a push changed', async () => {
    const { repo, server, target } = await gitlabRemote();
    const branches = names(230);
    const shas = await fastImportBranches(repo.bare, branches);
    const provider = testProvider();
    const options = watching(['many/.*']);
    const expected = branches.map((branch, index) => ({ branch, sha: shas[index] }));

    expect((await provider.listHeads(target, options)).heads).toEqual(expected);
    let again: Awaited<ReturnType<typeof provider.listHeads>> | undefined;
    expect(
      await parsesDuring(async () => {
        again = await provider.listHeads(target, options);
      }),
    ).toBe(0);
    expect(again?.heads).toEqual(expected);

    // many/150 is on page 2 (100 per page, by name): only that page's bytes change.
    const moved = await repo.commit('many/150');
    let after: Awaited<ReturnType<typeof provider.listHeads>> | undefined;
    expect(
      await parsesDuring(async () => {
        after = await provider.listHeads(target, options);
      }),
    ).toBe(1);
    expect(after?.heads).toEqual(
      expected.map((head) => (head.branch === 'many/150' ? { ...head, sha: moved } : head)),
    );
    expect(requestsTo(server, 'list branches')).toHaveLength(9);
    expect(server.unexpected()).toEqual([]);
  });
});
