import type { RateLimitInfo } from '@sentry-git/core';

/*
 * Gitea has no API rate limit of its own (go-gitea/gitea#9559 is still open); limits come from
 * what sits in front of it: a reverse proxy (Codeberg limits in Caddy), an API gateway, a CDN.
 * Those speak several dialects, so both header families are read: `X-RateLimit-*` (reset as
 * epoch seconds, GitHub style, or as seconds to wait) and the IETF `RateLimit-*` (reset in
 * seconds), plus `Retry-After` (seconds or an HTTP date).
 */

/** Used when a 429 says nothing about when to come back. */
const DEFAULT_WAIT_MS = 60_000;
// A reset above this is an epoch time in seconds, below it a number of seconds to wait.
const EPOCH_THRESHOLD = 1_000_000_000;

function header(headers: Headers, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** A reset header as a time: epoch seconds, seconds from now, or an HTTP date. */
export function parseReset(value: string | undefined, now: number): Date | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value !== '' && Number.isFinite(seconds) && seconds >= 0) {
    return new Date(seconds > EPOCH_THRESHOLD ? seconds * 1000 : now + seconds * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : new Date(date);
}

function resetOf(headers: Headers, now: number): Date | undefined {
  return parseReset(header(headers, 'x-ratelimit-reset', 'ratelimit-reset'), now);
}

function retryAfterOf(headers: Headers, now: number): Date | undefined {
  return parseReset(header(headers, 'retry-after'), now);
}

/** The quota an answer reports, if it reports one. */
export function readRateLimit(headers: Headers, now = Date.now()): RateLimitInfo | undefined {
  const remaining = integer(header(headers, 'x-ratelimit-remaining', 'ratelimit-remaining'));
  if (remaining === undefined) return undefined;
  const limit = integer(header(headers, 'x-ratelimit-limit', 'ratelimit-limit'));
  const reset = resetOf(headers, now);
  return {
    remaining,
    ...(limit === undefined ? {} : { limit }),
    ...(reset ? { resetAt: reset.toISOString() } : {}),
  };
}

/**
 * When a refused answer may be tried again, or null when it is no rate limit: a 403/429 saying
 * the quota is spent, one naming a `Retry-After` (a secondary limit), and any other 429.
 * `Retry-After` wins over the reset header: it is the server's own instruction and, being
 * relative, immune to clock skew. Without either, a minute.
 */
export function rateLimitedUntil(status: number, headers: Headers, now = Date.now()): Date | null {
  if (status !== 429 && status !== 403) return null;
  const retryAfter = retryAfterOf(headers, now);
  if (retryAfter) return retryAfter;
  const exhausted = integer(header(headers, 'x-ratelimit-remaining', 'ratelimit-remaining')) === 0;
  if (status === 403 && !exhausted) return null;
  return resetOf(headers, now) ?? new Date(now + DEFAULT_WAIT_MS);
}
