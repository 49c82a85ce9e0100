import { git } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { githubRemote, recordingLog, signal, testProvider } from './helpers.js';

const options = () => ({ signal: signal(), cacheDir: '/nonexistent-not-used-by-github' });

describe('changedFiles through the compare API', () => {
  it('lists both names of a rename and the commits oldest first, over several pages', async () => {
    const { repo, server, target } = await githubRemote();
    const base = await repo.commit('main', { 'docs/old.md': 'doc\n', 'src/app.ts': 'one\n' }, 'base');
    await repo.commit('main', { 'src/app.ts': 'two\n' }, 'change app');
    await git(repo.work, 'mv', 'docs/old.md', 'docs/new.md');
    // Rewriting the moved file with its own content keeps the commit a pure rename.
    const renamed = await repo.commit('main', { 'docs/new.md': 'doc\n' }, 'rename doc');
    const last = await repo.commit('main', { 'deploy/values.yaml': 'x: 1\n' }, 'values [skip deploy]');

    // Two commits per page: the three commits of the range take two pages.
    const result = await testProvider({ perPage: 2 }).changedFiles!(target, base, last, options());
    expect(result.files.sort()).toEqual(['deploy/values.yaml', 'docs/new.md', 'docs/old.md', 'src/app.ts']);
    expect(result.commits.map((commit) => commit.message)).toEqual([
      'change app',
      'rename doc',
      'values [skip deploy]',
    ]);
    expect(result.commits.at(-1)!.sha).toBe(last);
    expect(result.commits[1]!.sha).toBe(renamed);
    const compares = server.requests.filter((request) => request.route === 'github:compare');
    expect(compares.map((request) => request.status)).toEqual([200, 200]);
    expect(compares[0]!.path).toBe(`/repos/acme/demo/compare/${base}...${last}`);
    expect(server.unexpected()).toEqual([]);
  });

  it('a range over many pages costs two requests: the first page (files) and the last (the newest commit)', async () => {
    const { repo, server, target } = await githubRemote();
    const base = await repo.commit('main', { 'a.txt': '0\n' }, 'base');
    for (let i = 1; i <= 4; i += 1) await repo.commit('main', { 'a.txt': `${i}\n` }, `change ${i}`);
    const last = await repo.commit('main', { 'b.txt': 'new\n' }, 'newest [skip deploy]');

    // Two commits per page: six pages' worth would be three; only the first and the last are read.
    const result = await testProvider({ perPage: 2 }).changedFiles!(target, base, last, options());
    expect(result.files.sort()).toEqual(['a.txt', 'b.txt']);
    expect(result.commits.map((commit) => commit.message)).toEqual([
      'change 1',
      'change 2',
      'newest [skip deploy]',
    ]);
    expect(result.commits.at(-1)!.sha).toBe(last);
    const compares = server.requests.filter((request) => request.route === 'github:compare');
    expect(compares.map((request) => request.query.get('page') ?? '1')).toEqual(['1', '3']);
    // The quota as the last page left it: both pages spent a unit.
    expect(server.spent()).toBe(2);
    expect(result.rateLimit).toMatchObject({ limit: 5000, remaining: 4998 });
    expect(server.unexpected()).toEqual([]);
  });

  it('reads the comparison straight through the pooled fetch; octokit sees none of it', async () => {
    const { repo, server, target } = await githubRemote();
    const base = await repo.commit('main', { 'a.txt': '0\n' }, 'base');
    for (let i = 1; i <= 2; i += 1) await repo.commit('main', { 'a.txt': `${i}\n` }, `change ${i}`);
    const last = await repo.commit('main', { 'b.txt': 'new\n' }, 'newest');
    const { log, logged } = recordingLog();

    const result = await testProvider({ perPage: 2, log }).changedFiles!(target, base, last, options());
    expect(result.commits.at(-1)).toEqual({ sha: last, message: 'newest' });
    expect(server.requests.map((request) => [request.route, request.status])).toEqual([
      ['github:compare', 200],
      ['github:compare', 200],
    ]);
    // octokit's request-log reports every request it sends.
    expect(logged).toEqual([]);
  });

  it('hands a failed comparison to octokit, whose retries then answer', async () => {
    const { repo, server, target } = await githubRemote();
    const base = await repo.commit('main');
    const head = await repo.commit('main', { 'c.txt': 'c\n' }, 'head');
    server.fault({ status: 502, times: 2, path: /compare/ });
    const result = await testProvider().changedFiles!(target, base, head, options());
    expect(result.files).toEqual(['c.txt']);
    // The direct try, octokit's first attempt (both 502), then octokit's retry.
    expect(server.requests.map((request) => request.status)).toEqual([502, 502, 200]);
  });

  it('an unknown commit → PROVIDER_NOT_FOUND', async () => {
    const { repo, target } = await githubRemote();
    const head = await repo.commit('main');
    await expect(testProvider().changedFiles!(target, 'a'.repeat(40), head, options())).rejects.toMatchObject(
      { code: 'PROVIDER_NOT_FOUND' },
    );
  });

  it('refuses to decide on GitHub’s 300-file cap: CHANGED_FILES_INCOMPLETE', async () => {
    const { repo, target } = await githubRemote();
    const base = await repo.commit('main');
    const files = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`many/f${i}.txt`, `${i}\n`]));
    const head = await repo.commit('main', files, 'big');
    await expect(testProvider().changedFiles!(target, base, head, options())).rejects.toMatchObject({
      code: 'CHANGED_FILES_INCOMPLETE',
    });
  });
});

describe('changedFiles without files (skip markers alone)', () => {
  it('reads the newest commit in one request, however long the range, and no comparison', async () => {
    const { repo, server, target } = await githubRemote();
    const base = await repo.commit('main', { 'a.txt': '0\n' }, 'base');
    for (let i = 1; i <= 4; i += 1) await repo.commit('main', { 'a.txt': `${i}\n` }, `change ${i}`);
    const last = await repo.commit('main', { 'b.txt': 'new\n' }, 'newest [skip deploy]');

    const result = await testProvider({ perPage: 2 }).changedFiles!(target, base, last, {
      ...options(),
      files: false,
    });
    expect(result).toMatchObject({ files: [], commits: [{ sha: last, message: 'newest [skip deploy]' }] });
    expect(server.requests.map((request) => [request.route, request.path, request.status])).toEqual([
      ['github:commit', `/repos/acme/demo/commits/${last}`, 200],
    ]);
    // The quota that answer left reaches the engine's budget, as a poll's does.
    expect(result.rateLimit).toMatchObject({ limit: 5000, remaining: 5000 - server.spent() });
    expect(server.unexpected()).toEqual([]);
  });

  it('is not stopped by GitHub’s 300-file cap, which only path filters care about', async () => {
    const { repo, target } = await githubRemote();
    const base = await repo.commit('main');
    const files = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`many/f${i}.txt`, `${i}\n`]));
    const head = await repo.commit('main', files, 'big');
    const result = await testProvider().changedFiles!(target, base, head, { ...options(), files: false });
    expect(result.commits).toEqual([{ sha: head, message: 'big' }]);
  });

  it('hands a failed read to octokit, whose retries then answer', async () => {
    const { repo, server, target } = await githubRemote();
    const base = await repo.commit('main');
    const head = await repo.commit('main', { 'c.txt': 'c\n' }, 'head');
    server.fault({ status: 502, times: 2, path: /\/commits\// });
    const result = await testProvider().changedFiles!(target, base, head, { ...options(), files: false });
    expect(result.commits).toEqual([{ sha: head, message: 'head' }]);
    // The direct try, octokit's first attempt (both 502), then octokit's retry.
    const path = `/repos/acme/demo/commits/${head}`;
    expect(server.requests.map((request) => [request.path, request.status])).toEqual([
      [path, 502],
      [path, 502],
      [path, 200],
    ]);
  });

  it('an unknown commit → a provider error naming it', async () => {
    const { repo, target } = await githubRemote();
    const base = await repo.commit('main');
    await expect(
      testProvider().changedFiles!(target, base, 'f'.repeat(40), { ...options(), files: false }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^PROVIDER_/) });
  });
});
