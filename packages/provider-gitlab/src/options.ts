import { SentryError } from '@sentry-git/core';

export interface GitlabProviderOptions {
  /**
   * How `auth.token` is sent. `private-token` (the `PRIVATE-TOKEN` header) takes personal, project
   * and group access tokens; `bearer` (`Authorization: Bearer`) takes OAuth tokens and, on GitLab,
   * those access tokens too.
   * @default 'private-token'
   */
  authScheme?: 'private-token' | 'bearer';
  /**
   * Branches per page when listing them. GitLab's maximum is 100.
   * @default 100
   */
  perPage?: number;
  /**
   * Retries of a request answered with a 5xx status or lost to a network error, with exponential
   * backoff. After the last one the call fails with `PROVIDER_UNREACHABLE`. Rate limits are never
   * retried here: they become a `RateLimitError` at once.
   * @default 3
   */
  retries?: number;
  /**
   * The first backoff delay in milliseconds; it doubles with each retry (with jitter).
   * @default 500
   */
  retryBaseMs?: number;
  /**
   * The longest backoff delay in milliseconds.
   * @default 8000
   */
  retryMaxMs?: number;
  /**
   * How long one HTTP request may take before it counts as a network failure (and is retried).
   * The caller's signal bounds the whole call on top of this.
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * Ask the branch list for exactly the watched `branches` patterns (GitLab's RE2 `regex` filter);
   * on a GitLab that ignores the filter, read plain names (`main`, `release/1\.2`) one by one
   * (`GET /repository/branches/:branch`) whenever that takes fewer requests than the last full
   * listing needed. False lists every branch.
   * @default true
   */
  probeLiteralBranches?: boolean;
  /**
   * The commit status name (GitLab's `name`, alias `context`) when the status carries none.
   * @default 'sentry-git/deploy'
   */
  statusContext?: string;
}

export type ResolvedGitlabOptions = Required<GitlabProviderOptions>;

function invalid(option: string, value: unknown, expected: string): SentryError {
  return new SentryError(
    'PROVIDER_OPTIONS_INVALID',
    `Option ${option} of the GitLab provider is ${JSON.stringify(value)}; it must be ${expected}.`,
    { fix: `pass ${expected} as ${option} to createGitlabProvider(), or leave it out for the default.` },
  );
}

function integer(option: string, value: number | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** The options with defaults filled in; a wrong value throws `PROVIDER_OPTIONS_INVALID`. */
export function resolveOptions(options: GitlabProviderOptions): ResolvedGitlabOptions {
  const authScheme = options.authScheme ?? 'private-token';
  if (authScheme !== 'private-token' && authScheme !== 'bearer') {
    throw invalid('authScheme', authScheme, '"private-token" or "bearer"');
  }
  const statusContext = options.statusContext ?? 'sentry-git/deploy';
  if (typeof statusContext !== 'string' || statusContext.trim() === '') {
    throw invalid('statusContext', statusContext, 'a non-empty string');
  }
  const retryBaseMs = integer('retryBaseMs', options.retryBaseMs, 500, 0, 600_000);
  return {
    authScheme,
    perPage: integer('perPage', options.perPage, 100, 1, 100),
    retries: integer('retries', options.retries, 3, 0, 20),
    retryBaseMs,
    retryMaxMs: integer(
      'retryMaxMs',
      options.retryMaxMs,
      Math.max(8000, retryBaseMs),
      retryBaseMs,
      3_600_000,
    ),
    requestTimeoutMs: integer('requestTimeoutMs', options.requestTimeoutMs, 30_000, 1, 3_600_000),
    probeLiteralBranches: options.probeLiteralBranches ?? true,
    statusContext,
  };
}
