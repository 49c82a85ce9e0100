import { describe, expect, it, onTestFinished } from 'vitest';
import { createForgeReadCache, gitdir, startGitHubServer, startGitlabServer } from '../src/index.js';

const TOKEN = 'read-cache-token';

async function headOf(url: string, path: string): Promise<string> {
  const response = await fetch(`${url}${path}`, {
    headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github.sha' },
  });
  return response.text();
}

describe('the opt-in read cache of the fake forges', () => {
  it('answers from the memoized branch list until the repository is invalidated', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const first = await repo.commit('main', { 'a.txt': 'a\n' });
    const readCache = createForgeReadCache();
    const server = await startGitHubServer({ repos: { 'acme/app': repo.bare }, token: TOKEN, readCache });
    onTestFinished(() => server.close());
    const path = '/repos/acme/app/commits/heads/main';

    expect(await headOf(server.url, path)).toBe(first);
    const second = await repo.commit('main', { 'a.txt': 'b\n' });
    // Still the memoized list: the cache is only as fresh as its invalidation.
    expect(await headOf(server.url, path)).toBe(first);
    readCache.invalidate(repo.bare);
    expect(await headOf(server.url, path)).toBe(second);
  });

  it('memoizes a comparison of two SHAs across invalidations, and leaves the default uncached', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const base = await repo.commit('main', { 'a.txt': 'a\n' });
    const head = await repo.commit('main', { 'b.txt': 'b\n' }, 'add b');
    const readCache = createForgeReadCache();
    const cached = await startGitHubServer({ repos: { 'acme/app': repo.bare }, token: TOKEN, readCache });
    const plain = await startGitHubServer({ repos: { 'acme/app': repo.bare }, token: TOKEN });
    onTestFinished(() => cached.close());
    onTestFinished(() => plain.close());
    const compare = async (url: string) => {
      const response = await fetch(`${url}/repos/acme/app/compare/${base}...${head}`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      return (await response.json()) as { ahead_by: number; files: Array<{ filename: string }> };
    };
    const fromCache = await compare(cached.url);
    readCache.invalidate();
    expect(await compare(cached.url)).toEqual(fromCache);
    expect(await compare(plain.url)).toEqual(
      JSON.parse(JSON.stringify(fromCache).replaceAll(cached.url, plain.url)),
    );
    expect(fromCache.ahead_by).toBe(1);
    expect(fromCache.files.map((file) => file.filename)).toEqual(['b.txt']);

    // Without a cache every request reads the repository: a new commit shows at once.
    const plainHead = '/repos/acme/app/commits/heads/main';
    const next = await repo.commit('main', { 'c.txt': 'c\n' });
    expect(await headOf(plain.url, plainHead)).toBe(next);
  });

  it('shares commit data by SHA between GitLab projects that share objects', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sha = await repo.commit('main', { 'a.txt': 'a\n' }, 'the message');
    const readCache = createForgeReadCache();
    const server = await startGitlabServer({
      repos: { 'group/one': repo.bare, 'group/two': repo.bare },
      token: TOKEN,
      readCache,
    });
    onTestFinished(() => server.close());
    for (const project of ['group%2Fone', 'group%2Ftwo']) {
      const response = await fetch(`${server.url}/api/v4/projects/${project}/repository/branches/main`, {
        headers: { 'private-token': TOKEN },
      });
      expect(await response.json()).toMatchObject({
        name: 'main',
        commit: { id: sha, title: 'the message' },
      });
    }
  });
});
