import { SentryError } from '@sentry-git/core';
import { classifyGitStderr } from '@sentry-git/core/internal';

/** What went wrong with one git run, secrets already removed. */
export interface GitFailure {
  repository: string;
  /** The URL, redacted. */
  url: string;
  /** git's stderr, redacted. */
  stderr: string;
  exitCode: number | undefined;
  /** Node's error code when git could not start (`ENOENT`). */
  spawnCode: string | undefined;
  gitBinary: string;
  /** The git command that failed, e.g. `git ls-remote`. */
  command: string;
  cause?: unknown;
  /** The configuration keys of the URL and credentials. @default monitor.repo_url, monitor.auth */
  configKeys?: { url: string; auth: string } | undefined;
}

/** The SentryError for a failed git run against a remote, classified from git's exit and stderr. */
export function gitFailureError(failure: GitFailure): SentryError {
  const where = `repository "${failure.repository}" (${failure.url})`;
  const details = { repository: failure.repository, url: failure.url, exitCode: failure.exitCode };
  const said = failure.stderr.trim() ? `: ${failure.stderr.trim()}` : '';

  if (failure.spawnCode === 'ENOENT') {
    return new SentryError(
      'GIT_FAILED',
      `Could not run "${failure.gitBinary}" for ${failure.command} on ${where}.`,
      {
        fix: 'install git, or point the gitBinary option of the git provider at it.',
        path: failure.repository,
        details,
        cause: failure.cause,
      },
    );
  }
  const keys = failure.configKeys ?? { url: 'monitor.repo_url', auth: 'monitor.auth' };
  const problem = classifyGitStderr(failure.stderr);
  if (problem === 'auth') {
    return new SentryError('GIT_AUTH_FAILED', `Git could not authenticate to ${where}${said}`, {
      fix: `check ${keys.auth} (token and username) for this repository; for SSH URLs load the key into ssh-agent (no passphrase prompt is possible).`,
      path: failure.repository,
      details,
    });
  }
  if (problem === 'not-found') {
    return new SentryError('GIT_NOT_FOUND', `Git found no repository at ${where}${said}`, {
      fix: `check ${keys.url}; a private repository that the credentials (${keys.auth}) cannot see is also reported as missing by most hosts.`,
      path: failure.repository,
      details,
    });
  }
  const status = failure.exitCode === undefined ? '' : ` (exit code ${failure.exitCode})`;
  return new SentryError('GIT_FAILED', `${failure.command} failed for ${where}${status}${said}`, {
    fix: `run \`git ls-remote --heads ${failure.url}\` by hand to see whether the remote answers.`,
    path: failure.repository,
    details,
  });
}

export function gitTimeoutError(
  repository: string,
  url: string,
  timeoutMs: number,
  command: string,
): SentryError {
  return new SentryError(
    'GIT_TIMEOUT',
    `${command} for repository "${repository}" (${url}) did not finish within ${timeoutMs} ms.`,
    {
      fix: 'check that the host is reachable from here, or raise the timeoutMs option of the git provider.',
      path: repository,
      details: { repository, url, timeoutMs },
    },
  );
}
