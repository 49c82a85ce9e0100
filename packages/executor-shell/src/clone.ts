import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AuthConfig, createOutputTail, createRedactor, gitAuthEnv, redactUrl } from '@sentry-git/core';
import type { OutputSink } from './output.js';
import { runInProcessGroup } from './process-group.js';

export interface CloneOptions {
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

/** How much of git's stderr a clone failure quotes. */
const ERROR_TAIL_BYTES = 2048;

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
  const errors = createOutputTail(ERROR_TAIL_BYTES);
  const where = options.branch ? `${shownUrl} (branch ${options.branch})` : shownUrl;
  options.output.write('system', `Cloning ${where}\n`);

  const result = await runInProcessGroup(
    options.gitBinary,
    ['clone', '--depth', '1', '--single-branch', '--no-tags', ...branchArgs, '--', url, options.dir],
    {
      cwd: path.dirname(options.dir),
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env },
      signal: options.signal,
      killGraceMs: options.killGraceMs,
      onOutput(stream, text) {
        const safe = redactor.redact(text);
        if (stream === 'stderr') errors.push(safe);
        // The clone is the executor's work, not the deploy's: stdout/stderr are the commands'.
        options.output.write('system', safe);
      },
    },
  );

  if (result.aborted) return { ok: false, aborted: true, error: `Cloning ${where} was stopped` };
  if (result.exitCode === 0) return { ok: true };
  const how = result.spawnError
    ? `could not start ${options.gitBinary}: ${redactor.redact(result.spawnError)}`
    : result.exitCode === null
      ? `git was killed by ${result.signal ?? 'a signal'}`
      : `git exited with code ${result.exitCode}`;
  const detail = errors.toString().trim();
  return {
    ok: false,
    aborted: false,
    error: `Cloning the QA repository ${where} failed: ${how}${detail ? `\n${detail}` : ''}`,
  };
}
