import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type GitRunResult, runGitStep } from '@sentry-git/executor-kit';
import type { MirrorGit } from './mirror.js';

/**
 * The job's own checkout, from the mirror: a shallow clone over file:// (git ignores --depth
 * for plain paths), so it has its own object store — no alternates pointing into the mirror,
 * which may be fetched, gc'd or evicted while the job runs, and nothing the commands do in it
 * reaches the mirror. Then `origin` is pointed at the QA repository's real URL (without
 * credentials), so the checkout looks like a direct clone of it. No network, no credentials.
 */
export async function checkoutFromMirror(mirror: string, dir: string, git: MirrorGit): Promise<GitRunResult> {
  const local = { ...git, authEnv: {} };
  const branchArgs = git.branch ? [`--branch=${git.branch}`] : [];
  const clone = await run(local, path.dirname(dir), [
    'clone',
    '--quiet',
    '--depth',
    '1',
    '--single-branch',
    '--no-tags',
    ...branchArgs,
    '--',
    pathToFileURL(mirror).href,
    dir,
  ]);
  if (!clone.ok) return clone;
  return run(local, dir, ['remote', 'set-url', 'origin', git.url]);
}

function run(git: MirrorGit, cwd: string, args: string[]): Promise<GitRunResult> {
  return runGitStep({
    gitBinary: git.gitBinary,
    args,
    cwd,
    env: git.authEnv,
    signal: git.signal,
    killGraceMs: git.killGraceMs,
    output: git.output,
    redactor: git.redactor,
  });
}
