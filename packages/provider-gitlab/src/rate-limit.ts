import { type RateLimitInfo, readRateLimitHeaders } from '@sentry-git/core';

/**
 * GitLab's rate-limit headers (https://docs.gitlab.com/ee/user/admin_area/settings/user_and_ip_rate_limits.html):
 * `RateLimit-Limit`, `RateLimit-Observed`, `RateLimit-Remaining`, `RateLimit-Reset` (Unix time in
 * seconds), `RateLimit-ResetTime` (HTTP date) and, on a 429, `Retry-After` (seconds).
 */

function number(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Values below this are a delay in seconds, not a Unix time (some proxies send the delta form). */
const EPOCH_FLOOR = 1_000_000_000;

/** When the limit resets, if the headers say so. */
export function resetTimeOf(headers: Headers, now = Date.now()): Date | undefined {
  const reset = number(headers.get('ratelimit-reset'));
  if (reset !== undefined) return new Date(reset >= EPOCH_FLOOR ? reset * 1000 : now + reset * 1000);
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = number(retryAfter);
    if (seconds !== undefined) return new Date(now + Math.max(0, seconds) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return new Date(date);
  }
  const resetTime = headers.get('ratelimit-resettime');
  if (resetTime) {
    const date = Date.parse(resetTime);
    if (!Number.isNaN(date)) return new Date(date);
  }
  return undefined;
}

/** The quota the response reports, or undefined when it carries no rate-limit headers (core's shared reading). */
export function rateLimitOf(headers: Headers): RateLimitInfo | undefined {
  return readRateLimitHeaders(headers);
}
