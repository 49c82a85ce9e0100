import { compileBranchMatcher } from '@sentry-git/core/internal';
import { Api } from 'gitea-js';
import { describe, expect, it, vi } from 'vitest';
import { calls, commitMany, giteaServer, provider, rejected, remote, TOKEN, target } from './helpers.js';

function options(patterns: string[], extra: { known?: Map<string, string>; signal?: AbortSignal } = {}) {
  return {
    match: compileBranchMatcher(patterns),
    patterns,
    signal: extra.signal ?? new AbortController().signal,
    ...(extra.known ? { known: extra.known } : {}),
  };
}

function byName<T extends { branch: string }>(heads: T[]): T[] {
  return [...heads].sort((a, b) => (a.branch < b.branch ? -1 : 1));
}

/** team/app with main and 130 branches many/000..many/129, and the heads `main, many/1.*` match. */
async function manyBranches(server: Awaited<ReturnType<typeof giteaServer>>) {
  const fixture = await remote(server, 'team/app');
  const names = Array.from({ length: 130 }, (_, i) => `many/${String(i).padStart(3, '0')}`);
  const shas = await commitMany(fixture.repo, names);
  const main = await fixture.commit('main');
  const expected = [
    { branch: 'main', sha: main },
    ...names.flatMap((branch, i) => (branch.startsWith('many/1') ? [{ branch, sha: shas[i]! }] : [])),
  ];
  return { fixture, expected };
}

describe('listing branches', () => {
  it('reads every branch from one git/refs/heads answer, 130 branches, and keeps only matching ones', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const server = await giteaServer({ rateLimit: { limit: 100, remaining: 40, resetAt } });
    const { fixture, expected } = await manyBranches(server);

    const result = await provider().listHeads(fixture.target, options(['main', 'many/1.*']));

    expect(byName(result.heads)).toEqual(byName(expected));
    // One request, one unit of quota, where the branch list took three pages.
    expect(calls(server)).toEqual(['GET /api/v1/repos/team/app/git/refs/heads']);
    expect(result.rateLimit?.remaining).toBe(39);
  });

  it('gives the heads of refs answered with the same bytes again without parsing them, and sees a push', async () => {
    const server = await giteaServer();
    const { fixture, expected } = await manyBranches(server);
    const giteaProvider = provider();
    const watching = options(['main', 'many/1.*']);
    expect(byName((await giteaProvider.listHeads(fixture.target, watching)).heads)).toEqual(byName(expected));

    const parse = vi.spyOn(JSON, 'parse');
    let again: Awaited<ReturnType<typeof giteaProvider.listHeads>>;
    try {
      again = await giteaProvider.listHeads(fixture.target, watching);
      expect(parse).not.toHaveBeenCalled();
      const moved = await fixture.commit('many/120');
      const after = await giteaProvider.listHeads(fixture.target, watching);
      expect(parse).toHaveBeenCalledTimes(1);
      expect(byName(after.heads)).toEqual(
        byName(expected.map((head) => (head.branch === 'many/120' ? { ...head, sha: moved } : head))),
      );
    } finally {
      parse.mockRestore();
    }
    expect(byName(again.heads)).toEqual(byName(expected));
    expect(calls(server)).toEqual(Array(3).fill('GET /api/v1/repos/team/app/git/refs/heads'));
  });

  it('follows the Link header past 100 branches, 50 a page, on a server without git/refs', async () => {
    const server = await giteaServer({ gitRefs: false });
    const { fixture, expected } = await manyBranches(server);

    const result = await provider().listHeads(fixture.target, options(['main', 'many/1.*']));

    expect(byName(result.heads)).toEqual(byName(expected));
    expect(calls(server)).toEqual([
      'GET /api/v1/repos/team/app/git/refs/heads',
      'GET /api/v1/repos/team/app/branches?page=1&limit=50',
      'GET /api/v1/repos/team/app/branches?page=2&limit=50',
      'GET /api/v1/repos/team/app/branches?page=3&limit=50',
    ]);
    expect(server.unexpected()).toEqual([]);
  });

  it('lists an empty repository: git/refs answers 404, the branch list none', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/empty');

    const result = await provider().listHeads(fixture.target, options(['main', 'release/.*']));
    expect(result.heads).toEqual([]);
    expect(calls(server)).toEqual([
      'GET /api/v1/repos/team/empty/git/refs/heads',
      'GET /api/v1/repos/team/empty/branches?page=1&limit=50',
    ]);
  });

  it('reads every page when the server cuts the page size (MAX_RESPONSE_ITEMS)', async () => {
    const server = await giteaServer({ maxPerPage: 20, gitRefs: false });
    const fixture = await remote(server, 'team/app');
    const names = Array.from({ length: 101 }, (_, i) => `b/${String(i).padStart(3, '0')}`);
    const shas = await commitMany(fixture.repo, names);

    const result = await provider({ perPage: 100 }).listHeads(fixture.target, options(['b/.*']));

    expect(byName(result.heads)).toEqual(names.map((branch, i) => ({ branch, sha: shas[i]! })));
    expect(server.requests).toHaveLength(7);
    expect(server.requests.slice(1).map((r) => r.query.get('page'))).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(server.unexpected()).toEqual([]);
  });

  it('reads literal patterns branch by branch, feature/#123 percent-encoded, without listing', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const main = await fixture.commit('main');
    const feature = await fixture.commit('feature/#123');
    await fixture.commit('feature/#1234');

    const result = await provider().listHeads(fixture.target, options(['main', 'feature/#123', 'gone']));

    expect(byName(result.heads)).toEqual([
      { branch: 'feature/#123', sha: feature },
      { branch: 'main', sha: main },
    ]);
    expect(calls(server).sort()).toEqual([
      'GET /api/v1/repos/team/app/branches/feature%2F%23123',
      'GET /api/v1/repos/team/app/branches/gone',
      'GET /api/v1/repos/team/app/branches/main',
    ]);
    expect(server.requests.filter((r) => r.status === 404).map((r) => r.path)).toEqual([
      '/api/v1/repos/team/app/branches/gone',
    ]);
    expect(server.unexpected()).toEqual([]);
  });

  it('needs the encoding: gitea-js alone cuts `feature/#123` at the `#`', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    await fixture.commit('feature/#123');
    const api = new Api({
      baseUrl: server.apiUrl,
      baseApiParams: { format: 'json', headers: { authorization: `token ${TOKEN}` } },
    });

    const failure = await rejected(api.repos.repoGetBranch('team', 'app', 'feature/#123'));

    expect(failure.status).toBe(404);
    expect(calls(server)).toEqual(['GET /api/v1/repos/team/app/branches/feature/']);
  });

  it('probes a literal a regex would also match: `release-1\\.2` is the branch release-1.2', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const release = await fixture.commit('release-1.2');

    const result = await provider().listHeads(fixture.target, options(['release-1\\.2']));

    expect(result.heads).toEqual([{ branch: 'release-1.2', sha: release }]);
    expect(calls(server)).toEqual(['GET /api/v1/repos/team/app/branches/release-1.2']);
  });

  it('lists when none of the literal branches exists (a missing repository is then told apart)', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    await fixture.commit('main');

    const result = await provider().listHeads(fixture.target, options(['develop']));
    expect(result.heads).toEqual([]);
    expect(calls(server)).toEqual([
      'GET /api/v1/repos/team/app/branches/develop',
      'GET /api/v1/repos/team/app/git/refs/heads',
    ]);

    const missing = await rejected(provider().listHeads(target(server, 'team/ghost'), options(['develop'])));
    expect(missing.code).toBe('PROVIDER_NOT_FOUND');
    expect(missing.message).toContain('"ghost"');
  });

  it('lists instead of probing more literals than maxProbes', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const main = await fixture.commit('main');

    const result = await provider({ maxProbes: 1 }).listHeads(fixture.target, options(['main', 'dev']));
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(calls(server)).toEqual(['GET /api/v1/repos/team/app/git/refs/heads']);
  });

  it('reads a known branch that slipped between pages instead of reporting it deleted', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `b${String(i).padStart(3, '0')}`);
    let deleteOnPage2: (() => Promise<void>) | undefined;
    const server = await giteaServer({
      gitRefs: false,
      async onBranchesPage({ page }) {
        if (page === 2) await deleteOnPage2?.();
      },
    });
    const fixture = await remote(server, 'team/app');
    const shas = await commitMany(fixture.repo, names);
    const known = new Map(names.map((name, i) => [name, shas[i]!]));
    // Same commit time everywhere: Gitea's order falls back to the name. Deleting b000 while
    // page 2 is read shifts b050 onto page 1, which was already read.
    deleteOnPage2 = async () => {
      deleteOnPage2 = undefined;
      await fixture.deleteBranch('b000');
    };

    const result = await provider().listHeads(fixture.target, options(['b.*'], { known }));

    // b000 was read (page 1) before it went; b050 was never on a page read, so it is read alone.
    expect(byName(result.heads)).toEqual(names.map((branch, i) => ({ branch, sha: shas[i]! })));
    expect(calls(server)).toEqual([
      'GET /api/v1/repos/team/app/git/refs/heads',
      'GET /api/v1/repos/team/app/branches?page=1&limit=50',
      'GET /api/v1/repos/team/app/branches?page=2&limit=50',
      'GET /api/v1/repos/team/app/branches/b050',
    ]);
    expect(server.unexpected()).toEqual([]);
  });

  it('sends `Authorization: token <t>`; a token in the URL works too; none sends no header', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    await fixture.commit('main');

    await provider().listHeads(fixture.target, options(['main']));
    const withUrlToken = {
      ...fixture.target,
      auth: undefined,
      url: fixture.target.url.replace('://', `://bot:${TOKEN}@`),
    };
    await provider().listHeads(withUrlToken, options(['main']));
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`token ${TOKEN}`, `token ${TOKEN}`]);
    expect(server.requests[0]!.headers['user-agent']).toBe('sentry-git');

    const open = await giteaServer({ token: undefined });
    const publicRepo = await remote(open, 'team/public', { auth: undefined });
    const head = await publicRepo.commit('main');
    expect((await provider().listHeads(publicRepo.target, options(['main']))).heads).toEqual([
      { branch: 'main', sha: head },
    ]);
    expect(open.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('reports the quota the answers carry and never sets notModified', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const server = await giteaServer({ rateLimit: { limit: 100, remaining: 40, resetAt } });
    const fixture = await remote(server, 'team/app');
    await fixture.commit('main');
    const known = new Map((await fixture.repo.heads()).entries());

    const result = await provider().listHeads(fixture.target, options(['main'], { known }));
    expect(result.rateLimit).toEqual({ limit: 100, remaining: 39, resetAt: resetAt.toISOString() });
    expect(result.notModified).toBeUndefined();
  });

  it('rejects with the signal reason when aborted while waiting for an answer', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    await fixture.commit('main');
    server.setLatency(30_000);
    const controller = new AbortController();
    const reason = new Error('poll cancelled');

    const pending = rejected(
      provider().listHeads(fixture.target, options(['main'], { signal: controller.signal })),
    );
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort(reason);

    expect(await pending).toBe(reason);
  });
});
