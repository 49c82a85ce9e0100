import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';

const run = promisify(execFile);

/** Environment that makes git deterministic and independent of the user's config. */
export const GIT_TEST_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'sentry-git tests',
  GIT_AUTHOR_EMAIL: 'tests@sentry-git.invalid',
  GIT_COMMITTER_NAME: 'sentry-git tests',
  GIT_COMMITTER_EMAIL: 'tests@sentry-git.invalid',
  GIT_TERMINAL_PROMPT: '0',
} as const;

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: { ...process.env, ...GIT_TEST_ENV },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A temporary directory removed after the current test (or at `cleanup()`). */
export async function tempdir(prefix = 'sentry-git-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
  } catch {
    // Outside a test (e.g. in beforeAll): the caller cleans up.
  }
  return dir;
}

/**
 * A real bare repository on disk with a working clone to push from. Removed after the test.
 */
export interface GitFixture {
  /** Path of the bare repository (use it, or `url`, as repo_url). */
  bare: string;
  /** file:// URL of the bare repository. */
  url: string;
  /** Working clone used to make commits. */
  work: string;
  /** Commit on `branch` (created from the current HEAD when missing) and push; returns the new SHA. */
  commit(branch: string, files?: Record<string, string>, message?: string): Promise<string>;
  /** Delete a branch on the remote. */
  deleteBranch(branch: string): Promise<void>;
  /** The remote's heads: branch → SHA. */
  heads(): Promise<Map<string, string>>;
  cleanup(): Promise<void>;
}

export async function gitdir(
  options: { branches?: string[]; files?: Record<string, string> } = {},
): Promise<GitFixture> {
  const root = await tempdir('sentry-git-repo-');
  const bare = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  await mkdir(bare);
  await git(bare, 'init', '--bare', '--initial-branch=main');
  await git(root, 'clone', '--quiet', bare, work);
  await git(work, 'checkout', '--quiet', '-B', 'main');
  let counter = 0;

  async function commit(
    branch: string,
    files: Record<string, string> = {},
    message?: string,
  ): Promise<string> {
    counter += 1;
    const hasCommits = await git(work, 'rev-parse', '--verify', '--quiet', 'HEAD').then(
      () => true,
      () => false,
    );
    if (hasCommits) {
      const exists = await git(work, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).then(
        () => true,
        () => false,
      );
      await git(work, 'checkout', '--quiet', ...(exists ? [branch] : ['-b', branch]));
    } else {
      await git(work, 'checkout', '--quiet', '-B', branch);
    }
    const content =
      Object.keys(files).length > 0
        ? files
        : { [`change-${counter}.txt`]: `change ${counter} on ${branch}\n` };
    for (const [name, text] of Object.entries(content)) {
      const file = path.join(work, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    }
    await git(work, 'add', '--all');
    await git(work, 'commit', '--quiet', '--allow-empty', '-m', message ?? `change ${counter} on ${branch}`);
    await git(work, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
    return git(work, 'rev-parse', 'HEAD');
  }

  async function deleteBranch(branch: string): Promise<void> {
    await git(work, 'push', '--quiet', 'origin', `:refs/heads/${branch}`);
  }

  async function heads(): Promise<Map<string, string>> {
    const out = await git(bare, 'for-each-ref', '--format=%(refname:strip=2) %(objectname)', 'refs/heads');
    const map = new Map<string, string>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, sha] = line.split(' ');
      if (name && sha) map.set(name, sha);
    }
    return map;
  }

  const fixture: GitFixture = {
    bare,
    url: `file://${bare}`,
    work,
    commit,
    deleteBranch,
    heads,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  for (const branch of options.branches ?? []) await commit(branch, options.files);
  return fixture;
}
