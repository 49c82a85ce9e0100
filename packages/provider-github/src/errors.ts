import { RateLimitError, type RateLimitInfo, type Redactor, SentryError } from '@sentry-git/core';

/** Response headers as octokit hands them over (lower-case names). */
export type ResponseHeaders = Record<string, string | number | undefined>;

/** What octokit's RequestError carries; matched by shape so no extra package is needed. */
export interface RequestFailure {
  status: number;
  message: string;
  response?: { status: number; url?: string; headers: ResponseHeaders; data?: unknown } | undefined;
  cause?: unknown;
}

export function isRequestFailure(error: unknown): error is RequestFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Which call failed, for messages: always the repository and the redacted URL, never a token. */
export interface FailureContext {
  repository: string;
  /** The repository URL, redacted. */
  url: string;
  /** The API root the call went to. */
  baseUrl: string;
  /** What was being done, e.g. "list the branches". */
  action: string;
  redactor: Redactor;
  retries: number;
}

// GitHub's documented advice for a secondary limit without retry-after: wait at least a minute.
const SECONDARY_LIMIT_WAIT_MS = 60_000;

function header(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** `x-ratelimit-*` headers as the engine reports them, or undefined when the answer had none. */
export function rateLimitInfo(headers: ResponseHeaders | undefined): RateLimitInfo | undefined {
  const remaining = Number(header(headers, 'x-ratelimit-remaining'));
  if (!Number.isFinite(remaining)) return undefined;
  const info: RateLimitInfo = { remaining };
  const limit = Number(header(headers, 'x-ratelimit-limit'));
  if (Number.isFinite(limit)) info.limit = limit;
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) info.resetAt = new Date(reset * 1000).toISOString();
  return info;
}

/**
 * When a 403/429 may be retried, or null when it is not a rate limit (a missing permission).
 * `retry-after` first (secondary limits), then `x-ratelimit-reset` once `remaining` is 0, as
 * GitHub's rate-limit guide orders them.
 */
export function rateLimitReset(failure: RequestFailure, now = Date.now()): Date | null {
  if (failure.status !== 403 && failure.status !== 429) return null;
  const headers = failure.response?.headers;
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return new Date(now + Math.max(0, seconds) * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return new Date(date);
  }
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (header(headers, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset))
    return new Date(reset * 1000);
  if (failure.status === 429 || /rate limit|abuse/i.test(failure.message)) {
    return new Date(now + SECONDARY_LIMIT_WAIT_MS);
  }
  return null;
}

/** GitHub's own words from an error body (`{"message": ...}`), without the documentation link. */
function forgeMessage(failure: RequestFailure): string {
  const data = failure.response?.data;
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  return failure.message;
}

/** A SentryError with a code, the repository, the redacted URL and a fix, for any failed call. */
export function providerError(error: unknown, context: FailureContext): SentryError {
  if (error instanceof SentryError) return error;
  const where = `repository "${context.repository}" (${context.url})`;
  const details = { repository: context.repository, url: context.url, apiBaseUrl: context.baseUrl };
  const path = context.repository;
  if (!isRequestFailure(error)) {
    const said = context.redactor.redact(error instanceof Error ? error.message : String(error));
    return new SentryError('PROVIDER_BAD_RESPONSE', `Could not ${context.action} of ${where}: ${said}`, {
      fix: 'this looks like a bug or an unexpected answer from the API; report it with the message above.',
      path,
      details,
    });
  }
  const said = context.redactor.redact(forgeMessage(error));
  const status = error.status;
  const tried = context.retries > 0 ? ` (tried ${context.retries + 1} times)` : '';

  if (status >= 500 || !error.response) {
    const what = error.response ? `GitHub answered ${status}: ${said}` : `network error: ${said}`;
    return new SentryError(
      'PROVIDER_UNREACHABLE',
      `Could not ${context.action} of ${where} at ${context.baseUrl}${tried}; ${what}`,
      {
        fix: 'check that the API is reachable from here (DNS, proxy, firewall) and monitor.api_base_url; set monitor.fallback_to_git: true to poll with git ls-remote while the API is down.',
        path,
        details: { ...details, status },
      },
    );
  }
  const resetAt = rateLimitReset(error);
  if (resetAt) {
    const limit = Number(header(error.response.headers, 'x-ratelimit-limit'));
    return new RateLimitError(
      `GitHub rate limit reached while trying to ${context.action} of ${where} (${status}: ${said}); next try after ${resetAt.toISOString()}.`,
      { resetAt, path, details: { ...details, status }, ...(Number.isFinite(limit) ? { limit } : {}) },
    );
  }
  if (status === 401) {
    return new SentryError('PROVIDER_AUTH_FAILED', `GitHub refused the credentials for ${where}: ${said}`, {
      fix: 'check monitor.auth.token: it must be a valid, unexpired GitHub token (a fine-grained token with "Contents: read" and, for report_status, "Commit statuses: read and write"; or a classic token with the repo scope).',
      path,
      details: { ...details, status },
    });
  }
  if (status === 403) {
    return new SentryError('PROVIDER_AUTH_FAILED', `GitHub forbade ${context.action} of ${where}: ${said}`, {
      fix: 'give the token in monitor.auth.token access to this repository ("Contents: read"; "Commit statuses: read and write" for report_status) and authorize it for the organization\'s SAML SSO if it uses one.',
      path,
      details: { ...details, status },
    });
  }
  if (status === 404 || (status === 422 && /no commit found/i.test(said))) {
    return new SentryError(
      'PROVIDER_NOT_FOUND',
      `GitHub found nothing to ${context.action} of ${where}: ${said}`,
      {
        fix: 'check monitor.repo_url (and monitor.api_base_url for GitHub Enterprise Server); GitHub answers 404 for a private repository the token cannot see, so also check that monitor.auth.token has access to it.',
        path,
        details: { ...details, status },
      },
    );
  }
  return new SentryError(
    'PROVIDER_REQUEST_REJECTED',
    `GitHub rejected the request to ${context.action} of ${where} (${status}): ${said}`,
    {
      fix: "check the values sent (commit SHA, status fields) and the token's permissions.",
      path,
      details: { ...details, status },
    },
  );
}
