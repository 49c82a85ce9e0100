import { existsSync } from 'node:fs';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { testProvider } from './helpers.js';

const all = () => ({ match: () => true, signal: new AbortController().signal });

describe('local remotes', () => {
  it('reports no heads for an empty repository', async () => {
    const repo = await gitdir();
    expect(
      await testProvider().listHeads({ repository: 'empty', url: repo.bare, type: 'git' }, all()),
    ).toEqual({ heads: [] });
  });

  it('keeps non-ASCII branch names intact', async () => {
    const repo = await gitdir();
    const sha = await repo.commit('fonctionnalité/ß-日本');
    const result = await testProvider().listHeads(
      { repository: 'unicode', url: repo.url, type: 'git' },
      all(),
    );
    expect(result.heads).toEqual([{ branch: 'fonctionnalité/ß-日本', sha }]);
  });

  it('never lets a URL that looks like an option act as one', async () => {
    const marker = path.join(await tempdir(), 'ran');
    const error = await testProvider()
      .listHeads({ repository: 'odd', url: `--upload-pack=touch ${marker}`, type: 'git' }, all())
      .then(
        () => undefined,
        (caught: unknown) => caught as Error & { code?: string },
      );
    expect(error?.code).toMatch(/^GIT_/);
    expect(existsSync(marker)).toBe(false);
  });

  it('reports a missing path as GIT_NOT_FOUND naming the repository', async () => {
    const url = path.join(await tempdir(), 'none.git');
    const error = await testProvider()
      .listHeads({ repository: 'gone', url, type: 'git' }, all())
      .then(
        () => undefined,
        (caught: unknown) => caught as Error & { code?: string },
      );
    expect(error?.code).toBe('GIT_NOT_FOUND');
    expect(error?.message).toContain('"gone"');
    expect(error?.message).toContain(url);
  });
});
