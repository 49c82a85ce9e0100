import { existsSync } from 'node:fs';
import path from 'node:path';
import { gitdir, startGitHttpServer, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createGitProvider } from '../src/index.js';

const target = (url: string, token?: string) => ({
  repository: 'app',
  url,
  type: 'git',
  ...(token ? { auth: { token } } : {}),
});

describe('changedFiles through a blobless mirror', () => {
  it('lists the files and commits of a range, and follows later pushes', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const from = await repo.commit('main', { 'src/app.ts': 'v1\n' }, 'app v1');
    await repo.commit('main', { 'docs/guide.md': 'guide\n' }, 'docs');
    const to = await repo.commit('main', { 'src/app.ts': 'v2\n' }, 'app v2\n\n[skip deploy]');
    const cacheDir = await tempdir();
    const provider = createGitProvider();
    const signal = new AbortController().signal;

    const changes = await provider.changedFiles!(target(repo.url), from, to, { signal, cacheDir });
    expect(changes.files.sort()).toEqual(['docs/guide.md', 'src/app.ts']);
    expect(changes.commits.map((c) => c.message)).toEqual(['docs', 'app v2\n\n[skip deploy]']);
    expect(changes.commits.at(-1)?.sha).toBe(to);

    // A later push reaches the same mirror through a fetch.
    await repo.commit('main', { 'README.md': 'x\n' }, 'rename');
    const moved = await repo.commit('main', { 'src/moved.ts': 'v2\n' }, 'move');
    const later = await provider.changedFiles!(target(repo.url), to, moved, { signal, cacheDir });
    expect(later.files.sort()).toEqual(['README.md', 'src/moved.ts']);
    expect(later.commits).toHaveLength(2);
    const mirrors = path.join(cacheDir, 'git-mirrors');
    expect(existsSync(mirrors)).toBe(true);
  });

  it('fetches with the token from the environment, and parallel calls share one mirror', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const from = await repo.commit('main', { 'a.txt': '1\n' });
    const to = await repo.commit('main', { 'b.txt': '2\n' });
    const token = 'mirror-token-123456';
    const server = await startGitHttpServer({ root: path.dirname(repo.bare), auth: { token } });
    onTestFinished(() => server.close());
    const cacheDir = await tempdir();
    const provider = createGitProvider();
    const signal = new AbortController().signal;
    const url = `${server.url}/remote.git`;
    const [one, two] = await Promise.all([
      provider.changedFiles!(target(url, token), from, to, { signal, cacheDir }),
      provider.changedFiles!(target(url, token), from, to, { signal, cacheDir }),
    ]);
    expect(one).toEqual(two);
    expect(one.files).toEqual(['b.txt']);
    expect(server.requests.every((request) => request.authorized)).toBe(true);
    await expect(
      provider.changedFiles!(target(url, 'wrong-token-0000'), from, to, {
        signal,
        cacheDir: await tempdir(),
      }),
    ).rejects.toMatchObject({
      code: 'GIT_AUTH_FAILED',
    });
  });
});
