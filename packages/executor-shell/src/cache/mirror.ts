import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redactor } from '@sentry-git/core';
import { type GitRunResult, type OutputSink, runGitStep } from '@sentry-git/executor-kit';
import { LAST_USE_FILE } from './paths.js';

export interface MirrorGit {
  gitBinary: string;
  /** The QA repository's URL without credentials. */
  url: string;
  branch: string | undefined;
  /** Credentials (gitAuthEnv): only network steps get them, through the environment. */
  authEnv: Record<string, string>;
  redactor: Redactor;
  signal: AbortSignal;
  killGraceMs: number;
  output: OutputSink;
}

// Auto gc may detach into the background, where it would outlive the lock (and be killed with
// git's process group): it runs in the foreground, inside the lock, instead.
const NO_DETACHED_GC = ['-c', 'gc.autoDetach=false'];

/** A mirror is usable when git would take the directory for a bare repository. */
export function mirrorExists(dir: string): boolean {
  return existsSync(path.join(dir, 'HEAD')) && existsSync(path.join(dir, 'objects'));
}

/** The branch a mirror holds: the configured one, else the one its HEAD names (the remote's default when built). */
async function mirroredBranch(dir: string, branch: string | undefined): Promise<string | null> {
  if (branch) return branch;
  const head = (await readFile(path.join(dir, 'HEAD'), 'utf8').catch(() => '')).trim();
  const match = /^ref: refs\/heads\/(.+)$/.exec(head);
  return match?.[1] ?? null;
}

/**
 * Fetches the one branch the mirror holds. An explicit refspec, so the mirror's config needs
 * no remote, and `+` so a force-pushed QA branch is followed. Returns null when the mirror
 * does not say which branch it holds (it is then rebuilt).
 */
export async function updateMirror(dir: string, git: MirrorGit): Promise<GitRunResult | null> {
  const branch = await mirroredBranch(dir, git.branch);
  if (branch === null) return null;
  const result = await runGitStep({
    gitBinary: git.gitBinary,
    args: [
      ...NO_DETACHED_GC,
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--',
      git.url,
      `+refs/heads/${branch}:refs/heads/${branch}`,
    ],
    cwd: dir,
    env: git.authEnv,
    signal: git.signal,
    killGraceMs: git.killGraceMs,
    output: git.output,
    redactor: git.redactor,
  });
  if (result.ok) await markUsed(dir);
  return result;
}

/**
 * Clones a bare, single-branch mirror with full history (so later fetches are incremental)
 * beside its final name, then renames it: an interrupted build never looks like a mirror.
 */
export async function buildMirror(dir: string, git: MirrorGit): Promise<GitRunResult> {
  const partial = `${dir}.partial-${randomUUID().slice(0, 8)}`;
  const branchArgs = git.branch ? [`--branch=${git.branch}`] : [];
  try {
    const result = await runGitStep({
      gitBinary: git.gitBinary,
      args: [
        'clone',
        '--quiet',
        '--bare',
        '--single-branch',
        '--no-tags',
        ...branchArgs,
        '--',
        git.url,
        partial,
      ],
      cwd: path.dirname(dir),
      env: git.authEnv,
      signal: git.signal,
      killGraceMs: git.killGraceMs,
      output: git.output,
      redactor: git.redactor,
    });
    if (!result.ok) return result;
    await markUsed(partial);
    // A broken mirror may still sit at the final name.
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return result;
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

export async function markUsed(dir: string): Promise<void> {
  await writeFile(path.join(dir, LAST_USE_FILE), `${new Date().toISOString()}\n`);
}
