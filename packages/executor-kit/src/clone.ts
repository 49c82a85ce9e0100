import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AuthConfig, createRedactor, redactUrl } from '@sentry-git/core';
import { gitAuthEnv } from '@sentry-git/core/internal';
import { gitFailure, runGitStep } from './git-run.js';
import type { OutputSink } from './output.js';

export interface CloneOptions {
  /** The repository entry the clone is for, named in the fix of a failure. */
  repository?: string | undefined;
  gitBinary: string;
  url: string;
  branch: string | undefined;
  auth: AuthConfig | undefined;
  /** Host type of the QA repository; picks the default user name sent with a token. */
  type: string | undefined;
  /** The directory to create; its parent must exist. */
  dir: string;
  signal: AbortSignal;
  killGraceMs: number;
  output: OutputSink;
}

export type CloneOutcome = { ok: true } | { ok: false; aborted: boolean; error: string };

/**
 * A plain local path becomes a file:// URL, because git ignores --depth for local paths (it
 * hard-links the whole repository instead).
 */
export function toCloneUrl(url: string): string {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  // Git reads `host:path` (a colon before any slash) as scp-like SSH.
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  const scpLike = colon > 0 && (slash === -1 || colon < slash);
  if (hasScheme || scpLike) return url;
  return pathToFileURL(path.resolve(url)).href;
}

/**
 * Shallow-clones the QA repository: one branch, no tags. Credentials reach git only through
 * its environment (see gitAuthEnv), never its arguments or the clone's `.git/config`, and are
 * redacted from everything git prints.
 */
export async function cloneQaRepository(options: CloneOptions): Promise<CloneOutcome> {
  const { url, env, secrets } = gitAuthEnv(toCloneUrl(options.url), options.auth, options.type);
  const redactor = createRedactor(secrets);
  const shownUrl = redactUrl(url);
  const branchArgs = options.branch ? [`--branch=${options.branch}`] : [];
  const where = options.branch ? `${shownUrl} (branch ${options.branch})` : shownUrl;
  options.output.write('system', `Cloning ${where}\n`);

  const result = await runGitStep({
    gitBinary: options.gitBinary,
    args: ['clone', '--depth', '1', '--single-branch', '--no-tags', ...branchArgs, '--', url, options.dir],
    cwd: path.dirname(options.dir),
    env,
    signal: options.signal,
    killGraceMs: options.killGraceMs,
    output: options.output,
    redactor,
  });
  if (result.ok) return { ok: true };
  if (result.aborted) return { ok: false, aborted: true, error: `Cloning ${where} was stopped` };
  const qa = { repository: options.repository, branch: options.branch };
  return { ok: false, aborted: false, error: gitFailure(`Cloning the QA repository ${where}`, result, qa) };
}
