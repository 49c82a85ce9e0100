import { SentryError } from '@sentry-git/core';

/** A logger for what octokit itself reports (deprecations, throttling notes). */
export interface OctokitLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface GitHubProviderOptions {
  /**
   * The provider id, i.e. the `monitor.repo_type` it serves. Register a second instance under
   * another id to give some repositories different options.
   * @default 'github'
   */
  id?: string;
  /**
   * How often a request that failed with a 5xx answer or a network error is tried again
   * (by @octokit/plugin-retry) before the call fails with `PROVIDER_UNREACHABLE`.
   * @default 3
   */
  retries?: number;
  /**
   * Base delay of the retries in milliseconds; retry n waits `retryBaseMs × n²` (1 s, 4 s, 9 s).
   * The caller's signal ends the wait early.
   * @default 1000
   */
  retryBaseMs?: number;
  /**
   * Branches per page when the branch list is read (GitHub allows at most 100).
   * @default 100
   */
  perPage?: number;
  /**
   * Requests one client (API root and token) keeps in flight at most. GitHub allows 100
   * concurrent requests per token before its secondary rate limit answers 403; the default leaves
   * room for other clients of the same token. plugin-throttling alone would allow 10, which at
   * 20 ms per round trip caps a token at about 500 polls of a branch per second.
   * @default 50
   */
  maxInFlight?: number;
  /**
   * Commit status `context` used when the status given to `setCommitStatus` has none.
   * @default 'sentry-git/deploy'
   */
  statusContext?: string;
  /**
   * Prefix of the `User-Agent` header (octokit appends its own).
   * @default 'sentry-git'
   */
  userAgent?: string;
  /**
   * The fetch implementation octokit uses (a proxy-aware fetch, for instance).
   * @default a fetch on keep-alive pools per host (`createPooledFetch()` of @sentry-git/core)
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Where octokit's own messages go (the token is removed from them first). Its request-log
   * plugin reports each request through `info` and each non-2xx answer, 304 included, through
   * `error`; the provider turns real failures into SentryErrors anyway. Branch probes and
   * branch-list pages answered 200, 304 or 4xx are sent without octokit, so they are not logged.
   * @default warnings (deprecation notices) to the console, everything else dropped
   */
  log?: OctokitLog;
}

export interface ResolvedOptions {
  id: string;
  retries: number;
  retryBaseMs: number;
  perPage: number;
  maxInFlight: number;
  statusContext: string;
  userAgent: string;
  fetch: typeof globalThis.fetch | undefined;
  log: OctokitLog | undefined;
}

function optionError(name: string, rule: string, value: unknown): SentryError {
  return new SentryError(
    'PROVIDER_OPTIONS_INVALID',
    `createGitHubProvider: option "${name}" ${rule} (got ${JSON.stringify(value)}).`,
    { fix: `pass a valid "${name}" or leave it out for the default.`, path: name },
  );
}

function wholeNumber(name: string, value: number | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw optionError(name, `must be a whole number from ${min} to ${max}`, value);
  }
  return value;
}

function text(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '')
    throw optionError(name, 'must be a non-empty string', value);
  return value;
}

/** Applies the defaults and refuses values that would break polling (with a named error). */
export function resolveOptions(options: GitHubProviderOptions): ResolvedOptions {
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw optionError('fetch', 'must be a function', typeof options.fetch);
  }
  return {
    id: text('id', options.id, 'github'),
    retries: wholeNumber('retries', options.retries, 3, 0, 10),
    retryBaseMs: wholeNumber('retryBaseMs', options.retryBaseMs, 1000, 0, 60_000),
    perPage: wholeNumber('perPage', options.perPage, 100, 1, 100),
    maxInFlight: wholeNumber('maxInFlight', options.maxInFlight, 50, 1, 100),
    statusContext: text('statusContext', options.statusContext, 'sentry-git/deploy'),
    userAgent: text('userAgent', options.userAgent, 'sentry-git'),
    fetch: options.fetch,
    log: options.log,
  };
}
