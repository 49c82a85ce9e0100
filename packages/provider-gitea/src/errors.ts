import { httpFailure, type Redactor, SentryError } from '@sentry-git/core';
import type { ResolvedTarget } from './address.js';
import { NetworkFailure } from './transport.js';

/** What a failed call was doing, for its message. */
export interface CallContext {
  target: ResolvedTarget;
  /** e.g. `list the branches of` — completed with the repository. */
  action: string;
  redactor: Redactor;
  /** Attempts a 5xx answer had before it was given up on. */
  attempts: number;
}

/** The answer gitea-js throws for a non-2xx status: the Response, its parsed body in `error`. */
export interface FailedResponse {
  status: number;
  statusText: string;
  headers: Headers;
  error?: unknown;
}

export function isFailedResponse(value: unknown): value is FailedResponse {
  const candidate = value as Partial<FailedResponse> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'number' &&
    typeof candidate.headers?.get === 'function'
  );
}

const SCOPES = 'read:repository (and write:repository to report commit statuses)';

function where(context: CallContext): string {
  const { target } = context;
  return `repository "${target.repository}" (${target.safeUrl})`;
}

/** Gitea's error body is `{ message, url }`; a proxy may answer text or HTML instead. */
function serverMessage(response: FailedResponse, redactor: Redactor): string {
  const body = response.error;
  const message =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : '';
  return message ? `: ${redactor.redact(message).slice(0, 300)}` : '';
}

function fromResponse(response: FailedResponse, context: CallContext): SentryError {
  const { target } = context;
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const said = serverMessage(response, context.redactor);
  const attempts = `${context.attempts} attempt${context.attempts === 1 ? '' : 's'}`;
  return httpFailure({
    status: response.status,
    headers: response.headers,
    // Gitea's own API never rate limits: any other 4xx means a wrong API root or an old Gitea.
    otherStatus: 'PROVIDER_BAD_RESPONSE',
    path: target.repository,
    details: {
      repository: target.repository,
      url: target.safeUrl,
      api: target.apiBase,
      status: response.status,
    },
    describe: (code, resetAt) => {
      switch (code) {
        case 'RATE_LIMITED':
          return {
            message: `The Gitea API at ${target.apiBase} is rate limited (${status}) while trying to ${context.action} ${where(context)}; it can be asked again at ${resetAt?.toISOString()}.`,
          };
        case 'PROVIDER_AUTH_FAILED':
          return response.status === 401
            ? {
                message: `Gitea refused the credentials while trying to ${context.action} ${where(context)} (${status}${said}).`,
                fix: target.token
                  ? `check monitor.auth.token: it must be a valid, unexpired Gitea/Forgejo access token (Settings → Applications) with the scope ${SCOPES}.`
                  : `set monitor.auth.token to a Gitea/Forgejo access token with the scope ${SCOPES}.`,
              }
            : {
                message: `Gitea denied access while trying to ${context.action} ${where(context)} (${status}${said}).`,
                fix: `give the token in monitor.auth.token the scope ${SCOPES}, and its user access to the repository.`,
              };
        case 'PROVIDER_NOT_FOUND':
          return {
            message: `Gitea found nothing while trying to ${context.action} ${where(context)} (${status} from ${target.apiBase}${said}).`,
            fix: 'check monitor.repo_url (owner/name) and monitor.api_base_url; Gitea also answers 404 for a private repository when the token (monitor.auth.token) is missing or its user cannot read it.',
          };
        case 'PROVIDER_UNREACHABLE':
          return {
            message: `The Gitea API at ${target.apiBase} failed while trying to ${context.action} ${where(context)} (${status} after ${attempts}${said}).`,
            fix: 'check the Gitea server and its logs; with monitor.fallback_to_git the branches are read with git ls-remote meanwhile.',
          };
        default:
          return {
            message: `Gitea answered ${status} while trying to ${context.action} ${where(context)}${said}.`,
            fix: 'check that monitor.api_base_url points at a Gitea or Forgejo API (…/api/v1) of version 1.22 or later.',
          };
      }
    },
  });
}

/** An answer that could not be used (not JSON, missing fields). */
export function badResponse(context: CallContext, what: string): SentryError {
  return new SentryError(
    'PROVIDER_BAD_RESPONSE',
    `The Gitea API at ${context.target.apiBase} gave an unusable answer while trying to ${context.action} ${where(context)}: ${what}.`,
    {
      fix: 'check that monitor.api_base_url points at a Gitea or Forgejo API (…/api/v1), not at a web page or another service.',
      path: context.target.repository,
      details: {
        repository: context.target.repository,
        url: context.target.safeUrl,
        api: context.target.apiBase,
      },
    },
  );
}

/**
 * The error a failed call rejects with: the signal's reason once it aborted, a SentryError
 * (RateLimitError included) for everything else, never with the token in it.
 */
export function toProviderError(error: unknown, context: CallContext, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof SentryError) return error;
  if (error instanceof NetworkFailure) {
    return new SentryError(
      'PROVIDER_UNREACHABLE',
      `Could not reach the Gitea API at ${context.target.apiBase} to ${context.action} ${where(context)} (${context.redactor.redact(error.message)}, ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}).`,
      {
        fix: 'check that the host answers from here (DNS, proxy, firewall) and monitor.api_base_url; with monitor.fallback_to_git the branches are read with git ls-remote meanwhile.',
        path: context.target.repository,
        details: {
          repository: context.target.repository,
          url: context.target.safeUrl,
          api: context.target.apiBase,
        },
      },
    );
  }
  if (isFailedResponse(error)) return fromResponse(error, context);
  const message = error instanceof Error ? error.message : String(error);
  return badResponse(context, context.redactor.redact(message));
}
