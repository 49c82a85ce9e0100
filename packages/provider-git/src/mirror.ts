import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ChangedFiles } from '@sentry-git/core';
import { createKeyedQueue, gitAuthEnv } from '@sentry-git/core/internal';
import { type GitRunRequest, runGit } from './ls-remote.js';

/**
 * Path filters need the files and commits between two SHAs, which `ls-remote` cannot tell. A
 * blobless bare mirror (commits and trees, no file contents) per remote answers that locally;
 * it is fetched before each question, so its cost after the first clone is one small fetch.
 */
export interface MirrorCache {
  changedFiles(request: GitRunRequest, from: string, to: string, cacheDir: string): Promise<ChangedFiles>;
}

export function createMirrorCache(): MirrorCache {
  // One git operation per mirror at a time: parallel polls of one repository share it.
  const queue = createKeyedQueue();

  async function update(request: GitRunRequest, dir: string): Promise<void> {
    if (existsSync(path.join(dir, 'HEAD'))) {
      await runGit(
        { ...request, cwd: dir },
        (url) => [
          'fetch',
          '--quiet',
          '--no-tags',
          '--prune',
          '--filter=blob:none',
          '--',
          url,
          '+refs/heads/*:refs/heads/*',
        ],
        'git fetch',
      );
      return;
    }
    await mkdir(path.dirname(dir), { recursive: true });
    // Clone beside the final name, then rename: an interrupted clone never looks like a mirror.
    const partial = `${dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await runGit(
      request,
      (url) => ['clone', '--quiet', '--bare', '--no-tags', '--filter=blob:none', '--', url, partial],
      'git clone',
    );
    await rename(partial, dir);
  }

  return {
    changedFiles(request, from, to, cacheDir) {
      const key = createHash('sha256')
        .update(gitAuthEnv(request.url, undefined, undefined).url)
        .digest('hex')
        .slice(0, 24);
      const dir = path.join(cacheDir, 'git-mirrors', `${key}.git`);
      return queue.run(dir, async () => {
        await update(request, dir);
        const local = { ...request, cwd: dir };
        // --no-renames lists both the old and the new name of a moved file.
        const names = await runGit(
          local,
          () => ['diff', '--name-only', '--no-renames', '-z', from, to],
          'git diff',
        );
        const log = await runGit(
          local,
          () => ['log', '--reverse', '--format=%H%x1f%B%x1e', `${from}..${to}`],
          'git log',
        );
        return {
          files: names.split('\0').filter(Boolean),
          commits: log
            .split('\x1e')
            .map((entry) => entry.replace(/^\n/, ''))
            .filter(Boolean)
            .map((entry) => {
              const [sha = '', ...message] = entry.split('\x1f');
              return { sha, message: message.join('\x1f').replace(/\n+$/, '') };
            }),
        };
      });
    },
  };
}
