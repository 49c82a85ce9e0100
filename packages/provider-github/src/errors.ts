import {
  httpFailure,
  type RateLimitInfo,
  type Redactor,
  rateLimitResetAt,
  readRateLimitHeaders,
  SentryError,
} from '@sentry-git/core';

const UNREACHABLE_FIX =
  'check that the API is reachable from here (DNS, proxy, firewall) and monitor.api_base_url; set monitor.fallback_to_git: true to poll with git ls-remote while the API is down.';

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

/** `x-ratelimit-*` headers as the engine reports them, or undefined when the answer had none. */
export function rateLimitInfo(headers: ResponseHeaders | undefined): RateLimitInfo | undefined {
  return readRateLimitHeaders(headers);
}

/**
 * When a 403/429 may be retried, or null when it is not a rate limit (a missing permission).
 * `retry-after` first (secondary limits), then `x-ratelimit-reset` once `remaining` is 0, as
 * GitHub's rate-limit guide orders them; a 403 whose message speaks of a rate limit or abuse
 * detection without either header waits a minute, as GitHub advises. Core's shared mapping.
 */
export function rateLimitReset(failure: RequestFailure, now = Date.now()): Date | null {
  return rateLimitResetAt(failure.status, failure.response?.headers, {
    now,
    saysRateLimited: /rate limit|abuse/i.test(failure.message),
  });
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

  if (!error.response) {
    return new SentryError(
      'PROVIDER_UNREACHABLE',
      `Could not ${context.action} of ${where} at ${context.baseUrl}${tried}; network error: ${said}`,
      { fix: UNREACHABLE_FIX, path, details: { ...details, status } },
    );
  }
  // "No commit found for SHA" is GitHub's 422 for a commit that does not exist.
  const notFound = status === 422 && /no commit found/i.test(said);
  return httpFailure({
    status: notFound ? 404 : status,
    headers: error.response.headers,
    saysRateLimited: /rate limit|abuse/i.test(error.message),
    path,
    details: { ...details, status },
    describe: (code, resetAt) => {
      switch (code) {
        case 'PROVIDER_UNREACHABLE':
          return {
            message: `Could not ${context.action} of ${where} at ${context.baseUrl}${tried}; GitHub answered ${status}: ${said}`,
            fix: UNREACHABLE_FIX,
          };
        case 'RATE_LIMITED':
          return {
            message: `GitHub rate limit reached while trying to ${context.action} of ${where} (${status}: ${said}); next try after ${resetAt?.toISOString()}.`,
          };
        case 'PROVIDER_AUTH_FAILED':
          return status === 401
            ? {
                message: `GitHub refused the credentials for ${where}: ${said}`,
                fix: 'check monitor.auth.token: it must be a valid, unexpired GitHub token (a fine-grained token with "Contents: read" and, for report_status, "Commit statuses: read and write"; or a classic token with the repo scope).',
              }
            : {
                message: `GitHub forbade ${context.action} of ${where}: ${said}`,
                fix: 'give the token in monitor.auth.token access to this repository ("Contents: read"; "Commit statuses: read and write" for report_status) and authorize it for the organization\'s SAML SSO if it uses one.',
              };
        case 'PROVIDER_NOT_FOUND':
          return {
            message: `GitHub found nothing to ${context.action} of ${where}: ${said}`,
            fix: 'check monitor.repo_url (and monitor.api_base_url for GitHub Enterprise Server); GitHub answers 404 for a private repository the token cannot see, so also check that monitor.auth.token has access to it.',
          };
        default:
          return {
            message: `GitHub rejected the request to ${context.action} of ${where} (${status}): ${said}`,
            fix: "check the values sent (commit SHA, status fields) and the token's permissions.",
          };
      }
    },
  });
}
