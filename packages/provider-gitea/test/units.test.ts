import type { ProviderTarget } from '@sentry-git/core';
import { literalBranch, literalBranches } from '@sentry-git/core/internal';
import { describe, expect, it } from 'vitest';
import { parseRepoUrl, resolveTarget, segment } from '../src/address.js';
import { createGiteaProvider } from '../src/index.js';
import { nextLink, nextPage } from '../src/pagination.js';
import { parseReset, rateLimitedUntil, readRateLimit } from '../src/rate-limit.js';

function at(url: string, apiBaseUrl?: string): ProviderTarget {
  return { repository: 'app', url, type: 'gitea', ...(apiBaseUrl ? { apiBaseUrl } : {}) };
}

describe('addressing', () => {
  it.each([
    ['https://gitea.example.com/team/app.git', 'team', 'app', 'https://gitea.example.com/api/v1'],
    ['https://gitea.example.com/team/app/', 'team', 'app', 'https://gitea.example.com/api/v1'],
    ['http://10.0.0.5:3000/team/app', 'team', 'app', 'http://10.0.0.5:3000/api/v1'],
    ['https://example.com/gitea/team/app.git', 'team', 'app', 'https://example.com/gitea/api/v1'],
    ['https://bot:secret@gitea.example.com/team/app.git', 'team', 'app', 'https://gitea.example.com/api/v1'],
    ['ssh://git@gitea.example.com:2222/team/app.git', 'team', 'app', 'https://gitea.example.com/api/v1'],
    ['git@codeberg.org:forgejo/forgejo.git', 'forgejo', 'forgejo', 'https://codeberg.org/api/v1'],
    ['gitea.example.com:team/app.git', 'team', 'app', 'https://gitea.example.com/api/v1'],
    ['git://gitea.example.com/team/app.git', 'team', 'app', 'https://gitea.example.com/api/v1'],
    ['https://gitea.example.com/my%20org/app.git', 'my org', 'app', 'https://gitea.example.com/api/v1'],
  ])('%s → %s/%s at %s', (url, owner, repo, apiBase) => {
    expect(parseRepoUrl(at(url))).toEqual({ owner, repo, apiBase });
  });

  it('takes monitor.api_base_url as the API root; a bare origin gets /api/v1', () => {
    const url = 'git@gitea.internal:team/app.git';
    expect(parseRepoUrl(at(url, 'http://127.0.0.1:8080')).apiBase).toBe('http://127.0.0.1:8080/api/v1');
    expect(parseRepoUrl(at(url, 'https://git.example.com/api/v1/')).apiBase).toBe(
      'https://git.example.com/api/v1',
    );
    expect(parseRepoUrl(at(url, 'https://u:p@git.example.com/sub/api/v1')).apiBase).toBe(
      'https://git.example.com/sub/api/v1',
    );
  });

  it.each([
    ['file:///srv/git/app.git', 'file://'],
    ['/srv/git/app.git', 'local path'],
    ['./app.git', 'local path'],
    ['https://gitea.example.com/app.git', 'owner/repository'],
  ])('refuses %s with PROVIDER_INVALID_URL', (url, words) => {
    expect(() => parseRepoUrl(at(url))).toThrow(expect.objectContaining({ code: 'PROVIDER_INVALID_URL' }));
    expect(() => parseRepoUrl(at(url))).toThrow(words);
    expect(() => parseRepoUrl(at(url))).toThrow('"app"');
  });

  it('refuses an api_base_url that is no http(s) URL', () => {
    expect(() => parseRepoUrl(at('https://h/o/r', 'ftp://h/api/v1'))).toThrow(/http\(s\)/);
    expect(() => parseRepoUrl(at('https://h/o/r', 'not a url'))).toThrow(/not a URL/);
  });

  it('takes the token from auth, else from the URL, and never shows it', () => {
    const fromUrl = resolveTarget(at('https://bot:s3cr3t-token@gitea.example.com/team/app.git'));
    expect(fromUrl.token).toBe('s3cr3t-token');
    expect(fromUrl.safeUrl).not.toContain('s3cr3t-token');
    const fromAuth = resolveTarget({
      ...at('https://bot:s3cr3t-token@h/o/r'),
      auth: { token: 'auth-token' },
    });
    expect(fromAuth.token).toBe('auth-token');
  });

  it('percent-encodes path segments (gitea-js does not)', () => {
    expect(segment('feature/#123')).toBe('feature%2F%23123');
    expect(segment('a b?c%d')).toBe('a%20b%3Fc%25d');
  });
});

describe('literal patterns', () => {
  it.each([
    ['main', 'main'],
    ['feature/#123', 'feature/#123'],
    ['release-1\\.2', 'release-1.2'],
    ['hotfix\\/x', 'hotfix/x'],
    ['dev.*', null],
    ['release#\\d+', null],
    ['(main|dev)', null],
    ['main$', null],
    ['trailing\\', null],
  ])('%s → %s', (pattern, name) => {
    expect(literalBranch(pattern)).toBe(name);
  });

  it('is all-or-nothing over the patterns, and dedupes', () => {
    expect(literalBranches(['main', 'main', 'dev'])).toEqual(['main', 'dev']);
    expect(literalBranches(['main', 'dev.*'])).toBeNull();
    expect(literalBranches([])).toBeNull();
    expect(literalBranches(undefined)).toBeNull();
  });
});

describe('pagination', () => {
  const gitea =
    '<https://g.example.com/api/v1/repos/o/r/branches?limit=50&page=3>; rel="next",<https://g.example.com/api/v1/repos/o/r/branches?limit=50&page=4>; rel="last",<https://g.example.com/api/v1/repos/o/r/branches?limit=50&page=1>; rel="first",<https://g.example.com/api/v1/repos/o/r/branches?limit=50&page=1>; rel="prev"';

  it('follows rel="next" of a Gitea Link header', () => {
    expect(nextLink(gitea)).toBe('https://g.example.com/api/v1/repos/o/r/branches?limit=50&page=3');
    expect(nextPage(new Headers({ link: gitea }), { page: 2, count: 50, seen: 100 })).toBe(3);
    expect(nextLink('<https://x/?page=1>; rel="first", <https://x/?page=1>; rel=prev')).toBeNull();
    expect(
      nextPage(new Headers({ link: '<https://x/?page=1>; rel="first"' }), { page: 4, count: 10, seen: 160 }),
    ).toBeNull();
  });

  it('falls back to X-Total-Count, then to reading until an empty page', () => {
    expect(nextPage(new Headers({ 'x-total-count': '120' }), { page: 2, count: 50, seen: 100 })).toBe(3);
    expect(nextPage(new Headers({ 'x-total-count': '100' }), { page: 2, count: 50, seen: 100 })).toBeNull();
    expect(nextPage(new Headers(), { page: 2, count: 7, seen: 57 })).toBe(3);
    expect(nextPage(new Headers(), { page: 3, count: 0, seen: 57 })).toBeNull();
  });
});

describe('rate-limit headers', () => {
  const now = Date.UTC(2024, 4, 14, 10, 0, 0);

  it('reads epoch, delta and HTTP-date resets', () => {
    expect(parseReset('1715682000', now)?.toISOString()).toBe('2024-05-14T10:20:00.000Z');
    expect(parseReset('90', now)?.toISOString()).toBe('2024-05-14T10:01:30.000Z');
    expect(parseReset('Tue, 14 May 2024 10:05:00 GMT', now)?.toISOString()).toBe('2024-05-14T10:05:00.000Z');
    expect(parseReset('soon', now)).toBeUndefined();
  });

  it('reports X-RateLimit-* and IETF RateLimit-* quotas', () => {
    const github = new Headers({
      'x-ratelimit-limit': '60',
      'x-ratelimit-remaining': '7',
      'x-ratelimit-reset': '1715682000',
    });
    expect(readRateLimit(github, now)).toEqual({
      limit: 60,
      remaining: 7,
      resetAt: '2024-05-14T10:20:00.000Z',
    });
    const ietf = new Headers({
      'ratelimit-limit': '100',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '30',
    });
    expect(readRateLimit(ietf, now)).toEqual({
      limit: 100,
      remaining: 0,
      resetAt: '2024-05-14T10:00:30.000Z',
    });
    expect(readRateLimit(new Headers(), now)).toBeUndefined();
  });

  it('tells rate limits from other refusals', () => {
    const exhausted = new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1715682000' });
    expect(rateLimitedUntil(403, exhausted, now)?.toISOString()).toBe('2024-05-14T10:20:00.000Z');
    expect(rateLimitedUntil(429, new Headers({ 'retry-after': '5' }), now)?.toISOString()).toBe(
      '2024-05-14T10:00:05.000Z',
    );
    expect(rateLimitedUntil(403, new Headers({ 'retry-after': '5' }), now)).not.toBeNull();
    expect(rateLimitedUntil(429, new Headers(), now)?.toISOString()).toBe('2024-05-14T10:01:00.000Z');
    expect(rateLimitedUntil(403, new Headers({ 'x-ratelimit-remaining': '12' }), now)).toBeNull();
    expect(rateLimitedUntil(403, new Headers(), now)).toBeNull();
    expect(rateLimitedUntil(503, new Headers({ 'retry-after': '5' }), now)).toBeNull();
  });
});

describe('options', () => {
  it('rejects invalid values with a named error', () => {
    expect(() => createGiteaProvider({ perPage: 0 })).toThrow(
      expect.objectContaining({ code: 'PROVIDER_OPTIONS_INVALID', path: 'perPage' }),
    );
    expect(() => createGiteaProvider({ retries: -1 })).toThrow(/"retries"/);
    expect(() => createGiteaProvider({ id: ' ' })).toThrow(/"id"/);
    expect(createGiteaProvider({ id: 'forgejo' }).id).toBe('forgejo');
  });

  it('bounds the wait options at an hour, as the GitLab provider does', () => {
    expect(() => createGiteaProvider({ requestTimeoutMs: 3_000_000_000 })).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_OPTIONS_INVALID',
        path: 'requestTimeoutMs',
        message: expect.stringContaining('from 1 to 3600000 (got 3000000000)'),
      }),
    );
    expect(() => createGiteaProvider({ retryDelayMs: 2 ** 31 })).toThrow(/"retryDelayMs"/);
    expect(() => createGiteaProvider({ requestTimeoutMs: 3_600_000, retryDelayMs: 0 })).not.toThrow();
  });
});
