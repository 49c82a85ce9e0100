import { httpFailure, RateLimitError, type Redactor, SentryError } from '@sentry-git/core';

const UNREACHABLE_FIX =
  'check that the GitLab host answers from here (DNS, proxy, TLS) and monitor.api_base_url; set monitor.fallback_to_git: true to list branches with git ls-remote meanwhile.';

/** What an error message needs to say where the problem is. */
export interface ErrorScope {
  repository: string;
  /** The repository URL, credentials removed. */
  url: string;
  projectPath: string;
  redactor: Redactor;
}

/** `METHOD path` of a request, as messages name it (no query string, no host). */
export interface RequestLabel {
  method: string;
  endpoint: string;
}

function where(scope: ErrorScope): string {
  return `repository "${scope.repository}" (${scope.url})`;
}

function details(scope: ErrorScope, request: RequestLabel, extra: Record<string, unknown> = {}) {
  return {
    repository: scope.repository,
    url: scope.url,
    project: scope.projectPath,
    request: `${request.method} ${request.endpoint}`,
    ...extra,
  };
}

/** GitLab's own words from an error body: `message` or `error` (+ `error_description`), redacted. */
export function gitlabMessage(body: unknown, redactor: Redactor): string {
  if (typeof body === 'string') return redactor.redact(body.trim()).slice(0, 300);
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const parts = [record.message, record.error, record.error_description]
      .map((part) => (typeof part === 'string' ? part : part === undefined ? '' : JSON.stringify(part)))
      .filter(Boolean);
    return redactor.redact(parts.join(': ')).slice(0, 300);
  }
  return '';
}

/** The SentryError for a non-2xx answer, by core's shared HTTP-status mapping. */
export function httpError(
  scope: ErrorScope,
  request: RequestLabel,
  status: number,
  body: unknown,
  headers?: Headers,
): SentryError {
  const said = gitlabMessage(body, scope.redactor);
  const answer = said ? `${status} (${said})` : String(status);
  const rateLimit = `GitLab rate limit reached for ${where(scope)} (${request.method} ${request.endpoint})`;
  return httpFailure({
    status,
    headers,
    otherStatus: 'PROVIDER_BAD_RESPONSE',
    path: scope.repository,
    details: details(scope, request, { status, gitlabMessage: said }),
    describe: (code, resetAt) => {
      switch (code) {
        case 'RATE_LIMITED':
          return { message: `${rateLimit}; it resets at ${resetAt?.toISOString()}.` };
        case 'PROVIDER_AUTH_FAILED':
          return status === 401
            ? {
                message: `GitLab refused the token for ${where(scope)}: ${request.method} ${request.endpoint} answered ${answer}.`,
                fix: 'check monitor.auth.token: a personal, project or group access token (scope read_api; api to report commit statuses) that has not expired or been revoked. OAuth tokens need the bearer authScheme.',
              }
            : {
                message: `GitLab denied ${request.method} ${request.endpoint} for ${where(scope)}: ${answer}.`,
                fix: 'give the token in monitor.auth.token the scope and role this needs: read_api (Reporter) to read branches and compare, api (Developer) to set commit statuses.',
              };
        case 'PROVIDER_NOT_FOUND':
          return {
            message: `GitLab found nothing at ${request.method} ${request.endpoint} for ${where(scope)}: ${answer}.`,
            fix: `check monitor.repo_url (project path "${scope.projectPath}") and monitor.api_base_url; GitLab also answers 404 for a private project the token cannot see, so check monitor.auth.token too.`,
          };
        case 'PROVIDER_UNREACHABLE':
          return {
            message: `GitLab could not be reached for ${where(scope)}: ${request.method} ${request.endpoint} answered ${answer}.`,
            fix: UNREACHABLE_FIX,
          };
        default:
          return {
            message: `GitLab answered ${answer} to ${request.method} ${request.endpoint} for ${where(scope)}.`,
            fix: 'check the GitLab version and monitor.api_base_url; this provider needs the v4 REST API.',
          };
      }
    },
  });
}

export function unreachableError(
  scope: ErrorScope,
  request: RequestLabel,
  what: string,
  cause?: unknown,
): SentryError {
  return new SentryError(
    'PROVIDER_UNREACHABLE',
    `GitLab could not be reached for ${where(scope)}: ${request.method} ${request.endpoint} ${scope.redactor.redact(what)}.`,
    {
      fix: UNREACHABLE_FIX,
      path: scope.repository,
      details: details(scope, request),
      cause,
    },
  );
}

export function badResponseError(scope: ErrorScope, request: RequestLabel, what: string): SentryError {
  return new SentryError(
    'PROVIDER_BAD_RESPONSE',
    `GitLab gave an unexpected answer to ${request.method} ${request.endpoint} for ${where(scope)}: ${scope.redactor.redact(what)}.`,
    {
      fix: 'check monitor.api_base_url: it must point at the GitLab v4 REST API (https://HOST/api/v4), not at a proxy or login page.',
      path: scope.repository,
      details: details(scope, request),
    },
  );
}

export function rateLimitError(
  scope: ErrorScope,
  request: RequestLabel,
  resetAt: Date,
  limit: number | undefined,
): RateLimitError {
  return new RateLimitError(
    `GitLab rate limit reached for ${where(scope)} (${request.method} ${request.endpoint}); it resets at ${resetAt.toISOString()}.`,
    {
      resetAt,
      ...(limit === undefined ? {} : { limit }),
      path: scope.repository,
      details: details(scope, request),
    },
  );
}
