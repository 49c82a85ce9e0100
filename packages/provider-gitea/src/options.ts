import { createPooledFetch, SentryError } from '@sentry-git/core';

export interface GiteaProviderOptions {
  /**
   * The provider id, i.e. the `repo_type` it serves.
   * @default 'gitea'
   */
  id?: string;
  /**
   * Page size asked of `GET /repos/{owner}/{repo}/branches`, read when `git/refs/heads` answers
   * 404 (a repository without branches, or a server without that route). Gitea cuts it to its
   * `[api] MAX_RESPONSE_ITEMS` (50 by default); pages are followed by the `Link` header, so a
   * smaller server limit costs requests, never branches.
   * @default 50
   */
  perPage?: number;
  /**
   * When every `monitor.branches` pattern is a literal name (no regex syntax) and there are at
   * most this many, each is read with `GET /repos/{owner}/{repo}/branches/{branch}` instead of
   * listing every branch. `0` always lists.
   * @default 3
   */
  maxProbes?: number;
  /**
   * How often a request that met a 5xx answer or a network error is sent again before the call
   * fails with `PROVIDER_UNREACHABLE`.
   * @default 3
   */
  retries?: number;
  /**
   * Delay before the first retry, doubled for each further one with jitter (capped at 30 s). The caller's
   * signal cuts the wait short. At most 3,600,000.
   * @default 1000
   */
  retryDelayMs?: number;
  /**
   * Time one HTTP request may take before it is abandoned and counted as a network error
   * (and retried). At most 3,600,000 (an hour).
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * The `context` of commit statuses when the status gives none.
   * @default 'sentry-git/deploy'
   */
  statusContext?: string;
  /**
   * `User-Agent` sent with every request.
   * @default 'sentry-git'
   */
  userAgent?: string;
  /**
   * The fetch implementation (a proxy-aware one, or a recorder in tests).
   * @default a fetch on keep-alive pools per host (`createPooledFetch()` of @sentry-git/core)
   */
  fetch?: typeof fetch;
}

export type ResolvedGiteaOptions = Required<GiteaProviderOptions>;

/**
 * Waits stop at an hour, as the GitLab provider's do: a request or a retry pause longer than that
 * is a typo (seconds written as milliseconds), which is refused here rather than honoured.
 */
const MAX_WAIT_MS = 3_600_000;

function check(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new SentryError(
      'PROVIDER_OPTIONS_INVALID',
      `The Gitea provider option "${name}" must be an integer ${range} (got ${String(value)}).`,
      { fix: `pass a valid ${name} to createGiteaProvider(), or leave it out for the default.`, path: name },
    );
  }
  return value;
}

/** The options with their defaults, each checked; a wrong one fails with a named error. */
export function resolveOptions(options: GiteaProviderOptions): ResolvedGiteaOptions {
  const id = options.id ?? 'gitea';
  if (typeof id !== 'string' || id.trim() === '') {
    throw new SentryError(
      'PROVIDER_OPTIONS_INVALID',
      'The Gitea provider option "id" must be a non-empty string.',
      {
        fix: "use the repo_type it should serve, e.g. 'gitea' or 'forgejo'.",
        path: 'id',
      },
    );
  }
  // Keep-alive pools per host on undici, about a third of fetch's CPU per request
  // (docs/decisions.md, "HTTP transport"); a fetch given in the options is used as it is.
  const fetchImpl = options.fetch ?? createPooledFetch();
  if (typeof fetchImpl !== 'function') {
    throw new SentryError('PROVIDER_OPTIONS_INVALID', 'The Gitea provider found no fetch implementation.', {
      fix: 'run on Node.js 20 or later, or pass the fetch option.',
      path: 'fetch',
    });
  }
  return {
    id,
    perPage: check('perPage', options.perPage ?? 50, 1),
    maxProbes: check('maxProbes', options.maxProbes ?? 3, 0),
    retries: check('retries', options.retries ?? 3, 0),
    retryDelayMs: check('retryDelayMs', options.retryDelayMs ?? 1000, 0, MAX_WAIT_MS),
    requestTimeoutMs: check('requestTimeoutMs', options.requestTimeoutMs ?? 30_000, 1, MAX_WAIT_MS),
    statusContext: options.statusContext ?? 'sentry-git/deploy',
    userAgent: options.userAgent ?? 'sentry-git',
    fetch: fetchImpl,
  };
}
