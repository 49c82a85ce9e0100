import type { RateLimitInfo } from '@sentry-git/core';
import { assertInsideApiRoot } from './api-root.js';
import type { GitHubClient } from './client.js';
import type { DirectRoute } from './direct-route.js';
import {
  type FailureContext,
  isRequestFailure,
  providerError,
  type ResponseHeaders,
  rateLimitInfo,
} from './errors.js';

/** One provider call against one repository: the client, the address, the signal, what was seen. */
export interface Session {
  /** The octokit client, created (and octokit loaded) when a request first needs it. */
  client(): Promise<GitHubClient>;
  owner: string;
  repo: string;
  signal: AbortSignal;
  failure: Omit<FailureContext, 'action'>;
  /** The rate limit as the latest answer reported it. */
  rateLimit?: RateLimitInfo;
  /** Branch probes without octokit (direct.ts); absent when a `fetch` option was given. */
  direct?: DirectRoute;
}

export interface Answer {
  status: number;
  /** The URL that answered (absolute). */
  url: string;
  headers: ResponseHeaders;
  data: unknown;
  /** A conditional request answered 304. */
  notModified: boolean;
}

// A route naming a whole URL (a Link header's), as in `GET https://api.github.com/repositories/1/branches?page=2`.
const ABSOLUTE_ROUTE = /^[A-Z]+ (https?:\/\/.+)$/i;

/**
 * Settles with `promise`, or rejects with `signal.reason` as soon as the signal fires, even while
 * octokit waits between retries (its waits cannot be interrupted; they end harmlessly later).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Sends one request. A 304 comes back as `notModified` (octokit throws it as a RequestError);
 * statuses in `allow` come back as answers; every other failure becomes a SentryError (or a
 * RateLimitError); an abort rejects with the signal's reason.
 */
export async function ask(
  session: Session,
  action: string,
  route: string,
  params: Record<string, unknown> = {},
  allow: readonly number[] = [],
): Promise<Answer> {
  const { signal } = session;
  signal.throwIfAborted();
  // octokit's auth hook sends the token to any URL: one outside the API root is refused first.
  const absolute = ABSOLUTE_ROUTE.exec(route);
  if (absolute) assertInsideApiRoot(session.failure, absolute[1]!, action);
  try {
    const response = await untilAborted(
      session
        .client()
        .then((client) =>
          client.request(route, { ...params, request: { ...(params.request as object), signal } }),
        ),
      signal,
    );
    const headers = response.headers as ResponseHeaders;
    session.rateLimit = rateLimitInfo(headers) ?? session.rateLimit;
    return { status: response.status, url: response.url, headers, data: response.data, notModified: false };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isRequestFailure(error) && error.response) {
      const headers = error.response.headers;
      const url = error.response.url ?? '';
      session.rateLimit = rateLimitInfo(headers) ?? session.rateLimit;
      if (error.status === 304) return { status: 304, url, headers, data: undefined, notModified: true };
      if (allow.includes(error.status)) {
        return { status: error.status, url, headers, data: error.response.data, notModified: false };
      }
    }
    throw providerError(error, { ...session.failure, action });
  }
}

/** A failure for an answer whose shape is not what GitHub documents. */
export function badResponse(session: Session, action: string, what: string): Error {
  return providerError(new Error(`unexpected answer: ${what}`), { ...session.failure, action });
}
