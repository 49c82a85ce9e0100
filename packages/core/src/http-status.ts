import type { SentryErrorCode } from './error-codes.js';
import { RateLimitError, SentryError, type SentryErrorOptions } from './errors.js';
import type { RateLimitInfo } from './interfaces/provider.js';

/*
 * What a forge's HTTP answer means, shared by every provider: which error code a status gets,
 * whether it is a rate limit and until when, and the quota the headers report. Forges and what
 * sits in front of them (proxies, gateways, CDNs) speak several dialects, so both header families
 * are read: `X-RateLimit-*` (GitHub, Gitea behind a proxy; reset as epoch seconds or, from some
 * proxies, seconds to wait) and the IETF draft's `RateLimit-*` (GitLab: reset as epoch seconds,
 * `RateLimit-ResetTime` as an HTTP date), plus `Retry-After` (seconds or an HTTP date).
 */

/** Response headers: a fetch `Headers`, or a plain record (octokit hands over lower-case names). */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | number | undefined | null>>;

/** Used when a rate limit says nothing about when to come back (GitHub's advice for secondary limits). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
// A reset above this is an epoch time in seconds, below it a number of seconds to wait.
const EPOCH_THRESHOLD = 1_000_000_000;

function headerValue(headers: HeaderSource | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const raw =
    typeof headers.get === 'function'
      ? (headers as { get(name: string): string | null }).get(name)
      : (headers as Record<string, unknown>)[name];
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw).trim();
  return value === '' ? undefined : value;
}

function firstHeader(headers: HeaderSource | undefined, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** A reset or Retry-After value as a time: epoch seconds, seconds from now, or an HTTP date. */
export function parseResetTime(value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value !== '' && Number.isFinite(seconds) && seconds >= 0) {
    return new Date(seconds > EPOCH_THRESHOLD ? seconds * 1000 : now + seconds * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : new Date(date);
}

function resetOf(headers: HeaderSource | undefined, now: number): Date | undefined {
  return (
    parseResetTime(firstHeader(headers, 'x-ratelimit-reset', 'ratelimit-reset'), now) ??
    parseResetTime(headerValue(headers, 'ratelimit-resettime'), now)
  );
}

/** The quota an answer reports (either header family), or undefined when it reports none. */
export function readRateLimitHeaders(
  headers: HeaderSource | undefined,
  now = Date.now(),
): RateLimitInfo | undefined {
  const remaining = integer(firstHeader(headers, 'x-ratelimit-remaining', 'ratelimit-remaining'));
  if (remaining === undefined) return undefined;
  const limit = integer(firstHeader(headers, 'x-ratelimit-limit', 'ratelimit-limit'));
  const reset = resetOf(headers, now);
  return {
    remaining,
    ...(limit === undefined ? {} : { limit }),
    ...(reset ? { resetAt: reset.toISOString() } : {}),
  };
}

/**
 * When a refused answer may be tried again, or null when it is no rate limit: any 429, and a
 * 403 that names a `Retry-After` (a secondary limit), reports the quota spent, or whose body says
 * so (`saysRateLimited`). A spent quota comes back at its reset time (an exact instant, where
 * `Retry-After` is rounded to seconds); otherwise `Retry-After` (the server's own instruction,
 * immune to clock skew), then a reset header; without any, a minute (GitHub's advice).
 */
export function rateLimitResetAt(
  status: number,
  headers: HeaderSource | undefined,
  options: { now?: number; saysRateLimited?: boolean } = {},
): Date | null {
  const now = options.now ?? Date.now();
  if (status !== 429 && status !== 403) return null;
  const exhausted = integer(firstHeader(headers, 'x-ratelimit-remaining', 'ratelimit-remaining')) === 0;
  const reset = resetOf(headers, now);
  if (exhausted && reset) return reset;
  const retryAfter = parseResetTime(headerValue(headers, 'retry-after'), now);
  if (retryAfter) return retryAfter;
  if (status === 403 && !exhausted && !options.saysRateLimited) return null;
  return reset ?? new Date(now + DEFAULT_RATE_LIMIT_WAIT_MS);
}

/** A status worth sending again: 5xx, except 501 (the server will never do it). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 && status !== 501;
}

/** The codes an HTTP failure of a forge maps to. */
export type HttpFailureCode = Extract<
  SentryErrorCode,
  | 'RATE_LIMITED'
  | 'PROVIDER_AUTH_FAILED'
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_UNREACHABLE'
  | 'PROVIDER_REQUEST_REJECTED'
  | 'PROVIDER_BAD_RESPONSE'
>;

/**
 * The code of a non-2xx answer: a rate limit, 401/403 (refused credentials or access), 404, 5xx
 * (the forge is down), and `otherStatus` for any other status (a 4xx the forge rejected).
 */
export function httpFailureCode(
  status: number,
  rateLimited: boolean,
  otherStatus: 'PROVIDER_REQUEST_REJECTED' | 'PROVIDER_BAD_RESPONSE' = 'PROVIDER_REQUEST_REJECTED',
): HttpFailureCode {
  if (rateLimited) return 'RATE_LIMITED';
  if (status === 401 || status === 403) return 'PROVIDER_AUTH_FAILED';
  if (status === 404) return 'PROVIDER_NOT_FOUND';
  if (status >= 500) return 'PROVIDER_UNREACHABLE';
  return otherStatus;
}

/** What one provider says about a failure: its own words and fix, per code. */
export interface HttpFailureWords {
  message: string;
  fix?: string | undefined;
}

export interface HttpFailureInput extends Omit<SentryErrorOptions, 'fix'> {
  status: number;
  headers: HeaderSource | undefined;
  now?: number;
  /** The body says "rate limit" (GitHub's secondary limits answer 403 without headers). */
  saysRateLimited?: boolean;
  /** The code for a status that is none of the above; the default is `PROVIDER_REQUEST_REJECTED`. */
  otherStatus?: 'PROVIDER_REQUEST_REJECTED' | 'PROVIDER_BAD_RESPONSE';
  /** The provider's words for the code this answer gets (`resetAt` is set for `RATE_LIMITED`). */
  describe(code: HttpFailureCode, resetAt: Date | undefined): HttpFailureWords;
}

/**
 * The error for a forge's non-2xx answer: a `RateLimitError` (with the reset time and the
 * limit the headers report) or a `SentryError` with the code `httpFailureCode` gives.
 */
export function httpFailure(input: HttpFailureInput): SentryError {
  const { status, headers, describe, otherStatus, saysRateLimited, now, ...options } = input;
  const resetAt = rateLimitResetAt(status, headers, {
    ...(now === undefined ? {} : { now }),
    ...(saysRateLimited === undefined ? {} : { saysRateLimited }),
  });
  const code = httpFailureCode(status, resetAt !== null, otherStatus);
  const words = describe(code, resetAt ?? undefined);
  if (resetAt) {
    const limit = integer(firstHeader(headers, 'x-ratelimit-limit', 'ratelimit-limit'));
    return new RateLimitError(words.message, {
      ...options,
      resetAt,
      ...(limit !== undefined && limit > 0 ? { limit } : {}),
      ...(words.fix ? { fix: words.fix } : {}),
    });
  }
  return new SentryError(code, words.message, { ...options, ...(words.fix ? { fix: words.fix } : {}) });
}
