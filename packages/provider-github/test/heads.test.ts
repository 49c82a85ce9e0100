import { compileBranchMatcher } from '@sentry-git/core/internal';
import { describe, expect, it } from 'vitest';
import { fastImportBranches, githubRemote, recordingLog, signal, testProvider } from './helpers.js';

function options(patterns: string[], known?: Map<string, string>) {
  return { match: compileBranchMatcher(patterns), patterns, signal: signal(), ...(known ? { known } : {}) };
}

function knownOf(heads: Array<{ branch: string; sha: string }>): Map<string, string> {
  return new Map(heads.map((head) => [head.branch, head.sha]));
}

describe('literal branch patterns: conditional probes of commits/heads/{branch}', () => {
  it('an unchanged cycle gets only 304 answers and costs no quota', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    const feature = await repo.commit('feature/#123');
    const provider = testProvider();
    const patterns = ['main', 'feature/#123'];

    const first = await provider.listHeads(target, options(patterns));
    expect(first.heads).toEqual([
      { branch: 'main', sha: main },
      { branch: 'feature/#123', sha: feature },
    ]);
    expect(first.notModified).toBeUndefined();
    expect(server.spent()).toBe(2);
    // Without a known SHA there is nothing to send as If-None-Match.
    expect(server.requests.map((request) => request.headers['if-none-match'])).toEqual([
      undefined,
      undefined,
    ]);

    const before = server.requests.length;
    const spentBefore = server.spent();
    const second = await provider.listHeads(target, options(patterns, knownOf(first.heads)));
    expect(second.notModified).toBe(true);
    expect(second.heads).toEqual(first.heads);
    const cycle = server.requests.slice(before);
    expect(cycle.map((request) => request.status)).toEqual([304, 304]);
    expect(cycle.map((request) => request.headers['if-none-match']).sort()).toEqual(
      [`"${feature}"`, `"${main}"`].sort(),
    );
    expect(cycle.every((request) => request.headers.accept === 'application/vnd.github.sha')).toBe(true);
    expect(server.spent() - spentBefore, 'quota spent by the unchanged cycle').toBe(0);
    expect(second.rateLimit).toMatchObject({ limit: 5000, remaining: 5000 - spentBefore });
    expect(server.unexpected()).toEqual([]);
  });

  it('a moved branch answers 200 with its new SHA; the unchanged one stays 304', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    const dev = await repo.commit('dev');
    const provider = testProvider();
    const known = new Map([
      ['main', main],
      ['dev', dev],
    ]);
    const moved = await repo.commit('dev');
    const before = server.requests.length;
    const result = await provider.listHeads(target, options(['main', 'dev'], known));
    expect(result.notModified).toBeUndefined();
    expect(result.heads).toEqual([
      { branch: 'main', sha: main },
      { branch: 'dev', sha: moved },
    ]);
    expect(
      server.requests
        .slice(before)
        .map((request) => request.status)
        .sort(),
    ).toEqual([200, 304]);
    expect(server.spent()).toBe(1);
  });

  it('a branch that does not exist (422) is left out; the repository still counts as found', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    const provider = testProvider();
    const result = await provider.listHeads(target, options(['main', 'gone']));
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.map((request) => request.status).sort()).toEqual([200, 422]);
  });

  it('a 404 on a probe checks the repository: present = branch absent, missing = PROVIDER_NOT_FOUND', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    const provider = testProvider();
    server.fault({ status: 404, body: { message: 'Not Found' }, path: /\/commits\/heads%2Fother$/ });
    const result = await provider.listHeads(target, options(['main', 'other']));
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.map((request) => request.route)).toContain('github:repo');

    const missing = { ...target, repository: 'gh-missing', url: 'https://github.com/acme/missing' };
    await expect(provider.listHeads(missing, options(['main']))).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('gh-missing'),
    });
  });
});

describe('regular-expression patterns: the paginated branch list with page ETags', () => {
  it('reads every page past 100 branches and returns the matching ones', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const names = Array.from({ length: 230 }, (_, index) => `many/${String(index).padStart(3, '0')}`);
    const shas = await fastImportBranches(repo.bare, names);
    const provider = testProvider();
    const result = await provider.listHeads(target, options(['many/1\\d\\d']));
    expect(result.heads).toEqual(
      names
        .map((branch, index) => ({ branch, sha: shas[index]! }))
        .filter((h) => /^many\/1\d\d$/.test(h.branch)),
    );
    const pages = server.requests.map((request) => `${request.path}?${request.query}`);
    const id = server.repoId('acme/demo');
    expect(pages).toEqual([
      '/repos/acme/demo/branches?per_page=100',
      `/repositories/${id}/branches?per_page=100&page=2`,
      `/repositories/${id}/branches?per_page=100&page=3`,
    ]);
    expect(server.unexpected()).toEqual([]);
  });

  it('an unchanged cycle sends each page ETag, gets 304 everywhere and costs no quota', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    await fastImportBranches(
      repo.bare,
      Array.from({ length: 150 }, (_, index) => `topic/${index}`),
    );
    const provider = testProvider();
    const patterns = ['main', 'topic/.*'];
    const first = await provider.listHeads(target, options(patterns));
    expect(first.heads).toHaveLength(151);
    const spent = server.spent();
    const before = server.requests.length;

    const second = await provider.listHeads(target, options(patterns, knownOf(first.heads)));
    expect(second.notModified).toBe(true);
    expect(second.heads).toEqual(first.heads);
    const cycle = server.requests.slice(before);
    expect(cycle.map((request) => request.status)).toEqual([304, 304]);
    expect(cycle.every((request) => /^W\/"/.test(String(request.headers['if-none-match'])))).toBe(true);
    expect(server.spent() - spent).toBe(0);

    // A push changes one page: that page costs one request, the other stays free.
    const moved = await repo.commit('main');
    const third = await provider.listHeads(target, options(patterns, knownOf(second.heads)));
    expect(third.notModified).toBeUndefined();
    expect(third.heads.find((head) => head.branch === 'main')?.sha).toBe(moved);
    expect(server.spent() - spent).toBe(1);
  });

  it('a full last page answered 304 still finds branches added behind it', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('a');
    await repo.commit('b');
    const provider = testProvider({ perPage: 2 });
    const first = await provider.listHeads(target, options(['.*']));
    expect(first.heads.map((head) => head.branch)).toEqual(['a', 'b']);
    // The full page named no next page, so the one behind it was asked (empty, and cached).
    expect(server.requests.map((request) => request.status)).toEqual([200, 200]);

    const c = await repo.commit('c');
    const before = server.requests.length;
    const second = await provider.listHeads(target, options(['.*'], knownOf(first.heads)));
    expect(second.heads).toContainEqual({ branch: 'c', sha: c });
    expect(second.notModified).toBeUndefined();
    expect(server.requests.slice(before).map((request) => request.status)).toEqual([304, 200]);

    const third = await provider.listHeads(target, options(['.*'], knownOf(second.heads)));
    expect(third.notModified).toBe(true);
    expect(third.heads).toEqual(second.heads);
    expect(server.unexpected()).toEqual([]);
  });

  it('lists without patterns too (the conformance suite calls it with match alone)', async () => {
    const { repo, target } = await githubRemote();
    const main = await repo.commit('main');
    const result = await testProvider().listHeads(target, { match: () => true, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(result.rateLimit).toMatchObject({ limit: 5000, remaining: 4999 });
    expect(result.rateLimit?.resetAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps page ETags per provider instance and per repository', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const one = testProvider();
    const two = testProvider();
    await one.listHeads(target, options(['ma.n']));
    await two.listHeads(target, options(['ma.n']));
    expect(server.requests.map((request) => request.status)).toEqual([200, 200]);
    await one.listHeads(target, options(['ma.n']));
    expect(server.requests.map((request) => request.status)).toEqual([200, 200, 304]);
  });
});

describe('branch probes without octokit', () => {
  it('sends an unchanged poll straight through the pooled fetch; octokit sees none of it', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    await repo.commit('develop');
    const { log, logged } = recordingLog();
    const provider = testProvider({ log });
    const patterns = ['main', 'develop'];
    const first = await provider.listHeads(target, options(patterns));
    const second = await provider.listHeads(target, options(patterns, knownOf(first.heads)));
    expect(second.notModified).toBe(true);
    expect(server.requests.map((request) => request.status)).toEqual([200, 200, 304, 304]);
    // octokit's request-log reports every request it sends (304s through `error`).
    expect(logged).toEqual([]);
  });

  it('hands a 5xx to octokit, whose retries then answer', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    server.fault({ status: 502, times: 2, path: /commits/ });
    const result = await testProvider().listHeads(target, options(['main']));
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    // The direct try, octokit's first attempt (both 502), then octokit's retry.
    expect(server.requests.map((request) => request.status)).toEqual([502, 502, 200]);
  });
});

describe('branch-list pages without octokit', () => {
  it('lists every page straight through the pooled fetch, and an unchanged list is all 304s', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    await fastImportBranches(
      repo.bare,
      Array.from({ length: 120 }, (_, index) => `release/${String(index).padStart(3, '0')}`),
    );
    const { log, logged } = recordingLog();
    const provider = testProvider({ log });
    const first = await provider.listHeads(target, options(['release/.*']));
    expect(first.heads).toHaveLength(120);
    const second = await provider.listHeads(target, options(['release/.*']));
    expect(second.notModified).toBe(true);
    expect(second.heads).toEqual(first.heads);
    // Two pages of 100, then the page after a full page; the second cycle asks each with its ETag.
    expect(server.requests.map((request) => request.status)).toEqual([200, 200, 304, 304]);
    expect(server.requests[2]!.headers['if-none-match']).toBeDefined();
    // octokit's request-log reports every request it sends (304s through `error`).
    expect(logged).toEqual([]);
  });

  it('a rate limit or a refused token is mapped at once, not asked again through octokit', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const resetAt = Math.floor(Date.now() / 1000) + 1800;
    server.setRateLimit({ limit: 5000, remaining: 0, resetAt });
    const { log, logged } = recordingLog();
    const error = await testProvider({ log })
      .listHeads(target, options(['ma.n']))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', resetAt: new Date(resetAt * 1000) });
    expect(server.requests.map((request) => request.status)).toEqual([403]);
    expect(logged).toEqual([]);
  });
});
