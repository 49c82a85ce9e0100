import { parseResetTime, type RateLimitInfo, rateLimitResetAt, readRateLimitHeaders } from '@sentry-git/core';

/*
 * Gitea has no API rate limit of its own (go-gitea/gitea#9559 is still open); limits come from
 * what sits in front of it: a reverse proxy (Codeberg limits in Caddy), an API gateway, a CDN.
 * Core's shared HTTP-status mapping reads every dialect those speak (`X-RateLimit-*`,
 * `RateLimit-*`, `Retry-After`); these are its names in this package.
 */

/** A reset header as a time: epoch seconds, seconds from now, or an HTTP date. */
export function parseReset(value: string | undefined, now: number): Date | undefined {
  return parseResetTime(value, now);
}

/** The quota an answer reports, if it reports one. */
export function readRateLimit(headers: Headers, now = Date.now()): RateLimitInfo | undefined {
  return readRateLimitHeaders(headers, now);
}

/** When a refused answer may be tried again, or null when it is no rate limit. */
export function rateLimitedUntil(status: number, headers: Headers, now = Date.now()): Date | null {
  return rateLimitResetAt(status, headers, { now });
}
