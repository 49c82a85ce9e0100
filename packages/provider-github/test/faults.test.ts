import { isSentryError, RateLimitError } from '@sentry-git/core';
import { startGitHubServer } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { githubRemote, signal, TOKEN, target, testProvider } from './helpers.js';

const LIST = { match: () => true, signal: signal() };

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error & { code?: string }) => error,
  );
}

describe('rate limits', () => {
  it('403 with x-ratelimit-remaining 0 → RateLimitError at x-ratelimit-reset (the server’s own quota)', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const resetAt = Math.floor(Date.now() / 1000) + 1800;
    server.setRateLimit({ limit: 5000, remaining: 0, resetAt });
    const error = await failure(testProvider().listHeads(target, LIST));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).resetAt.getTime()).toBe(resetAt * 1000);
    expect((error as RateLimitError).limit).toBe(5000);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toContain('gh-demo');
    expect(error.message).toContain('https://github.com/acme/demo');
    // Not retried: one request, then the engine waits for the reset.
    expect(server.requests.map((request) => request.status)).toEqual([403]);
  });

  it('429 with remaining 0 is the same RateLimitError', async () => {
    const { repo, server, target } = await githubRemote({ rateLimitStatus: 429 });
    await repo.commit('main');
    const resetAt = Math.floor(Date.now() / 1000) + 2;
    server.setRateLimit({ remaining: 0, resetAt });
    const error = await failure(testProvider().listHeads(target, LIST));
    expect((error as RateLimitError).resetAt.getTime()).toBe(resetAt * 1000);
    expect(server.requests.map((request) => request.status)).toEqual([429]);
  });

  it('a secondary limit with retry-after → RateLimitError at now + retry-after, not retried', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({
      status: 403,
      headers: { 'retry-after': '120', 'x-ratelimit-remaining': '4000' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      },
    });
    const before = Date.now();
    const error = await failure(testProvider().listHeads(target, LIST));
    const after = Date.now();
    expect(error).toBeInstanceOf(RateLimitError);
    const resetAt = (error as RateLimitError).resetAt.getTime();
    expect(resetAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(resetAt).toBeLessThanOrEqual(after + 120_000);
    expect(server.requests).toHaveLength(1);
  });

  it('429 with retry-after and no quota headers → RateLimitError at now + retry-after', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({ status: 429, headers: { 'retry-after': '30' }, body: { message: 'Too Many Requests' } });
    const before = Date.now();
    const error = await failure(testProvider().listHeads(target, LIST));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).resetAt.getTime()).toBeGreaterThanOrEqual(before + 30_000);
    expect(server.requests).toHaveLength(1);
  });

  it('the quota comes back after the reset (the fake server refills like GitHub)', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    server.setRateLimit({ remaining: 0, resetAt: Math.floor(Date.now() / 1000) - 1 });
    const result = await testProvider().listHeads(target, LIST);
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(result.rateLimit?.remaining).toBe(4999);
  });
});

describe('server errors and network faults', () => {
  it('5xx is retried with backoff and then succeeds', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    server.fault({ status: 502, body: { message: 'Server Error' }, times: 2 });
    const result = await testProvider().listHeads(target, LIST);
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.map((request) => request.status)).toEqual([502, 502, 200]);
  });

  it('persistent 5xx → PROVIDER_UNREACHABLE after retries + 1 attempts', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({ status: 503, body: { message: 'Service Unavailable' }, times: 100 });
    const error = await failure(testProvider({ retries: 2 }).listHeads(target, LIST));
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('gh-demo');
    expect(error.message).toContain('503');
    expect(error.message).toContain('fallback_to_git');
    expect(server.requests).toHaveLength(3);
  });

  it('dropped connections are retried, then PROVIDER_UNREACHABLE', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({ status: 0, reset: true, times: 100 });
    const error = await failure(testProvider({ retries: 1 }).listHeads(target, LIST));
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toMatch(/network error/);
    expect(server.requests).toHaveLength(2);
  });

  it('a host that refuses connections → PROVIDER_UNREACHABLE', async () => {
    const server = await startGitHubServer({ repos: {} });
    const url = server.url;
    await server.close();
    const error = await failure(testProvider({ retries: 1 }).listHeads(target({ url }), LIST));
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain(url);
  });

  it('an abort during the retry wait rejects at once with the signal’s reason', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({ status: 500, body: { message: 'boom' }, times: 100 });
    const controller = new AbortController();
    const reason = new Error('poll timed out');
    // Abort as soon as the first 500 has arrived; the retry would wait 10 s.
    const fetchThenAbort: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status >= 500) setImmediate(() => controller.abort(reason));
      return response;
    };
    const provider = testProvider({ retryBaseMs: 10_000, fetch: fetchThenAbort });
    const error = await failure(provider.listHeads(target, { match: () => true, signal: controller.signal }));
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const { server, target } = await githubRemote();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      testProvider().listHeads(target, { match: () => true, signal: controller.signal }),
    ).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(0);
  });
});

describe('credentials and missing repositories', () => {
  it('401 → PROVIDER_AUTH_FAILED naming the token setting, never the token', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    const wrong = 'ghp_wrongTokenValue0123456789abcdefXYZ';
    const error = await failure(testProvider().listHeads({ ...target, auth: { token: wrong } }, LIST));
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('Bad credentials');
    expect(error.message).toContain('monitor.auth.token');
    expect(error.message).toContain('gh-demo');
    expect(error.message).not.toContain(wrong);
    expect(JSON.stringify(error)).not.toContain(wrong);
    expect(server.requests.map((request) => request.status)).toEqual([401]);
    expect(server.requests[0]!.headers.authorization).toBe(`token ${wrong}`);
  });

  it('a token in the URL is used and kept out of messages', async () => {
    const { repo, server, target } = await githubRemote();
    const main = await repo.commit('main');
    const url = `https://x-access-token:${TOKEN}@github.com/acme/demo.git`;
    const result = await testProvider().listHeads({ ...target, url, auth: undefined }, LIST);
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);

    server.setRateLimit({ remaining: 0 });
    const error = await failure(testProvider().listHeads({ ...target, url, auth: undefined }, LIST));
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).toContain('x-access-token:[REDACTED]@github.com');
  });

  it('no token on a private repository → 404 → PROVIDER_NOT_FOUND with a fix about access', async () => {
    const { repo, target } = await githubRemote();
    await repo.commit('main');
    const error = await failure(testProvider().listHeads({ ...target, auth: undefined }, LIST));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_NOT_FOUND');
    expect(error.message).toMatch(/token/);
  });

  it('a 403 that is not a rate limit → PROVIDER_AUTH_FAILED', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({
      status: 403,
      headers: { 'x-ratelimit-remaining': '4999' },
      body: { message: 'Resource not accessible by personal access token' },
    });
    const error = await failure(testProvider().listHeads(target, LIST));
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('Resource not accessible');
  });

  it('an answer that is not a branch list → PROVIDER_BAD_RESPONSE', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    server.fault({ status: 200, body: { unexpected: true } });
    const error = await failure(testProvider().listHeads(target, LIST));
    expect(error.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(error.message).toContain('gh-demo');
  });
});

describe('options', () => {
  it('refuses invalid options with a named error', () => {
    expect(() => testProvider({ perPage: 500 })).toThrow(/"perPage"/);
    expect(() => testProvider({ retries: -1 })).toThrow(/PROVIDER_OPTIONS_INVALID|"retries"/);
  });

  it('hands octokit’s messages to a given logger without the token', async () => {
    const { repo, server, target } = await githubRemote();
    await repo.commit('main');
    // A 5xx sends the request through octokit (a poll's 200s and 304s go without it).
    server.fault({ status: 502, times: 1 });
    const lines: string[] = [];
    const collect = (...args: unknown[]) => {
      lines.push(JSON.stringify(args));
    };
    await testProvider({ log: { debug: collect, info: collect, warn: collect, error: collect } }).listHeads(
      target,
      LIST,
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
