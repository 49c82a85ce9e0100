import { describe, expect, it } from 'vitest';
import {
  httpFailure,
  httpFailureCode,
  isRetryableStatus,
  RateLimitError,
  rateLimitResetAt,
  readRateLimitHeaders,
} from '../src/index.js';

const now = Date.parse('2024-05-14T10:00:00Z');
const words = { describe: (code: string) => ({ message: `said ${code}` }) };

describe('the shared HTTP-status mapping', () => {
  it('maps 401/403/404/5xx/other to the provider codes', () => {
    expect(httpFailureCode(401, false)).toBe('PROVIDER_AUTH_FAILED');
    expect(httpFailureCode(403, false)).toBe('PROVIDER_AUTH_FAILED');
    expect(httpFailureCode(404, false)).toBe('PROVIDER_NOT_FOUND');
    expect(httpFailureCode(502, false)).toBe('PROVIDER_UNREACHABLE');
    expect(httpFailureCode(422, false)).toBe('PROVIDER_REQUEST_REJECTED');
    expect(httpFailureCode(422, false, 'PROVIDER_BAD_RESPONSE')).toBe('PROVIDER_BAD_RESPONSE');
    expect(httpFailureCode(403, true)).toBe('RATE_LIMITED');
    expect([500, 501, 502, 503, 404].map(isRetryableStatus)).toEqual([true, false, true, true, false]);
  });

  it('finds the reset: Retry-After first, then either reset header once the quota is spent, else a minute', () => {
    const at = (status: number, headers: Record<string, string>, saysRateLimited = false) =>
      rateLimitResetAt(status, new Headers(headers), { now, saysRateLimited })?.toISOString() ?? null;
    expect(at(429, { 'retry-after': '5' })).toBe('2024-05-14T10:00:05.000Z');
    expect(at(403, { 'retry-after': 'Tue, 14 May 2024 10:05:00 GMT' })).toBe('2024-05-14T10:05:00.000Z');
    expect(at(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1715682000' })).toBe(
      '2024-05-14T10:20:00.000Z',
    );
    // GitLab's IETF family, and a proxy's delta-seconds reset.
    expect(at(403, { 'ratelimit-remaining': '0', 'ratelimit-reset': '90' })).toBe('2024-05-14T10:01:30.000Z');
    expect(at(429, {})).toBe('2024-05-14T10:01:00.000Z');
    // A 403 with quota left is a permission problem, unless the body says rate limit.
    expect(at(403, { 'x-ratelimit-remaining': '12' })).toBeNull();
    expect(at(403, {}, true)).toBe('2024-05-14T10:01:00.000Z');
    expect(at(503, { 'retry-after': '5' })).toBeNull();
    // octokit's plain header record works too.
    expect(rateLimitResetAt(429, { 'retry-after': 2 }, { now })?.toISOString()).toBe(
      '2024-05-14T10:00:02.000Z',
    );
  });

  it('reads the quota from either header family', () => {
    expect(
      readRateLimitHeaders(
        new Headers({
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-reset': '1715682000',
        }),
        now,
      ),
    ).toEqual({ remaining: 4999, limit: 5000, resetAt: '2024-05-14T10:20:00.000Z' });
    expect(
      readRateLimitHeaders(new Headers({ 'ratelimit-remaining': '3', 'ratelimit-limit': '600' }), now),
    ).toEqual({ remaining: 3, limit: 600 });
    expect(readRateLimitHeaders(new Headers(), now)).toBeUndefined();
  });

  it('builds a RateLimitError with the reset and the limit, or a SentryError with the code', () => {
    const limited = httpFailure({
      status: 429,
      headers: new Headers({ 'retry-after': '30', 'x-ratelimit-limit': '60' }),
      now,
      ...words,
    });
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({
      code: 'RATE_LIMITED',
      limit: 60,
      message: expect.stringMatching(/^said RATE_LIMITED Fix: /),
    });
    expect((limited as RateLimitError).resetAt.toISOString()).toBe('2024-05-14T10:00:30.000Z');
    const missing = httpFailure({ status: 404, headers: undefined, path: 'app', ...words });
    expect(missing).toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: 'said PROVIDER_NOT_FOUND',
      path: 'app',
    });
  });
});
