import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimitError, SentryError } from '@sentry-git/core';
import { compileBranchMatcher } from '@sentry-git/core/internal';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { giteaServer, provider, rejected, remote, TOKEN, target } from './helpers.js';

// A listing (the patterns of list() are not all plain names) reads the branch refs.
const BRANCHES = /\/git\/refs\/heads$/;

function list(patterns = ['main', 'dev.*'], signal = new AbortController().signal) {
  return { match: compileBranchMatcher(patterns), patterns, signal };
}

async function setup(options: Parameters<typeof giteaServer>[0] = {}) {
  const server = await giteaServer(options);
  const fixture = await remote(server, 'team/app');
  const main = await fixture.commit('main');
  return { server, fixture, main };
}

describe('rate limits', () => {
  it('429 from the proxy in front of Gitea → RateLimitError at the reset, after the quota is spent', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 600_000);
    const { server, fixture, main } = await setup({ rateLimit: { limit: 10, remaining: 1, resetAt } });

    const first = await provider().listHeads(fixture.target, list());
    expect(first.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(first.rateLimit).toMatchObject({ limit: 10, remaining: 0 });

    const before = Date.now();
    const error = await rejected(provider().listHeads(fixture.target, list()));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe('RATE_LIMITED');
    // The fake proxy sends Retry-After (whole seconds to the reset), which wins over X-RateLimit-Reset.
    const at = (error as unknown as RateLimitError).resetAt.getTime();
    expect(at).toBeGreaterThanOrEqual(resetAt.getTime() - 1000);
    expect(at).toBeLessThanOrEqual(resetAt.getTime() + (Date.now() - before) + 1000);
    expect(error.message).toContain('"app"');
    expect(error.message).toContain('HTTP 429');
    // A rate limit is not retried: one refused request, no burning of the next window.
    expect(server.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('403 with X-RateLimit-Remaining: 0 → RateLimitError at X-RateLimit-Reset', async () => {
    const { server, fixture } = await setup();
    const reset = Math.floor(Date.now() / 1000) + 1800;
    server.fault({
      status: 403,
      path: BRANCHES,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      },
      body: { message: 'API rate limit exceeded' },
    });

    const error = await rejected(provider().listHeads(fixture.target, list()));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as unknown as RateLimitError).resetAt.toISOString()).toBe(
      new Date(reset * 1000).toISOString(),
    );
    expect((error as unknown as RateLimitError).limit).toBe(5000);
  });

  it('honours Retry-After (seconds and HTTP date) on a 429 without quota headers', async () => {
    const { server, fixture } = await setup();
    server.fault({ status: 429, path: BRANCHES, headers: { 'retry-after': '120' } });
    const before = Date.now();
    const seconds = await rejected(provider().listHeads(fixture.target, list()));
    const after = Date.now();
    const at = (seconds as unknown as RateLimitError).resetAt.getTime();
    expect(at).toBeGreaterThanOrEqual(before + 120_000);
    expect(at).toBeLessThanOrEqual(after + 120_000);

    const date = new Date(Math.ceil(Date.now() / 1000) * 1000 + 300_000);
    server.fault({ status: 429, path: BRANCHES, headers: { 'retry-after': date.toUTCString() } });
    const dated = await rejected(provider().listHeads(fixture.target, list()));
    expect((dated as unknown as RateLimitError).resetAt.toISOString()).toBe(date.toISOString());
  });

  it('a 403 without quota headers is an authorization problem, not a rate limit', async () => {
    const { server, fixture } = await setup();
    server.fault({
      status: 403,
      path: BRANCHES,
      body: { message: 'token does not have at least one of required scope(s): [read:repository]', url: 'x' },
    });
    const error = await rejected(provider().listHeads(fixture.target, list()));
    expect(error).not.toBeInstanceOf(RateLimitError);
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('read:repository');
  });
});

describe('server and network faults', () => {
  it('retries 5xx answers and succeeds', async () => {
    const { server, fixture, main } = await setup();
    server.fault({ status: 502, path: BRANCHES, times: 1, body: '<html>Bad Gateway</html>' });
    server.fault({ status: 503, path: BRANCHES, times: 1 });

    const result = await provider().listHeads(fixture.target, list());
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.map((r) => r.status)).toEqual([502, 503, 200]);
  });

  it('gives up after the retries with PROVIDER_UNREACHABLE', async () => {
    const { server, fixture } = await setup();
    server.fault({ status: 500, path: BRANCHES, times: 10, body: { message: 'internal' } });

    const error = await rejected(provider({ retries: 2 }).listHeads(fixture.target, list()));
    expect(error).toBeInstanceOf(SentryError);
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('retries dropped connections, then succeeds or fails with PROVIDER_UNREACHABLE', async () => {
    const { server, fixture, main } = await setup();
    server.fault({ status: 0, reset: true, times: 1 });
    expect((await provider().listHeads(fixture.target, list())).heads).toEqual([
      { branch: 'main', sha: main },
    ]);

    server.fault({ status: 0, reset: true, times: 10 });
    const error = await rejected(provider({ retries: 1 }).listHeads(fixture.target, list()));
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toMatch(/ECONNRESET|socket|terminated|other side closed/i);
  });

  it('fails with PROVIDER_UNREACHABLE when nothing listens', async () => {
    const { server, fixture } = await setup();
    await server.close();
    const error = await rejected(provider({ retries: 1 }).listHeads(fixture.target, list()));
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('2 attempts');
  });

  it('abandons a request that outlives requestTimeoutMs', async () => {
    const { server, fixture } = await setup();
    server.setLatency(5_000);
    const error = await rejected(
      provider({ retries: 0, requestTimeoutMs: 50 }).listHeads(fixture.target, list()),
    );
    expect(error.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('timed out');
  });

  it('abandons an answer whose body stalls after requestTimeoutMs', async () => {
    // Headers and the start of a body, then nothing: the timeout covers the body gitea-js reads.
    const stalling = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      stalling.closeAllConnections();
      return new Promise<void>((resolve) => stalling.close(() => resolve()));
    });
    const { port } = stalling.address() as AddressInfo;
    const error = await rejected(
      provider({ retries: 0, requestTimeoutMs: 50 }).listHeads(
        { repository: 'app', url: `http://127.0.0.1:${port}/team/app.git`, type: 'gitea' },
        list(['dev.*']),
      ),
    );
    expect(error).toBeInstanceOf(SentryError);
  });

  it('bounds each attempt without AbortSignal.timeout or AbortSignal.any (their cost per request)', async () => {
    const { fixture } = await setup();
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    const any = vi.spyOn(AbortSignal, 'any');
    onTestFinished(() => {
      vi.restoreAllMocks();
    });
    const result = await provider().listHeads(fixture.target, list(['main']));
    expect(result.heads.map((head) => head.branch)).toEqual(['main']);
    expect(timeout).not.toHaveBeenCalled();
    expect(any).not.toHaveBeenCalled();
  });

  it('stops waiting for a retry when the signal aborts', async () => {
    const { server, fixture } = await setup();
    server.fault({ status: 503, path: BRANCHES, times: 10 });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = rejected(
      provider({ retryDelayMs: 60_000 }).listHeads(fixture.target, list(undefined, controller.signal)),
    );
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });
});

describe('refusals and bad answers', () => {
  it('401 → PROVIDER_AUTH_FAILED naming the repository and the token setting, never the token', async () => {
    const { fixture } = await setup();
    const wrong = 'gta_wrong_token_ffffffffffffffffffffffffffff';
    const url = fixture.target.url.replace('://', `://bot:${wrong}@`);
    const error = await rejected(
      provider().listHeads({ ...fixture.target, url, auth: { token: wrong } }, list()),
    );
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('"app"');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('invalid username, password or token');
    expect(error.message).toContain('monitor.auth.token');
    expect(error.message).not.toContain(wrong);
    expect(JSON.stringify(error)).not.toContain(wrong);
    expect(JSON.stringify((error as unknown as SentryError).details)).not.toContain(wrong);
  });

  it('404 → PROVIDER_NOT_FOUND, also for a private repository read without a token', async () => {
    const { server, fixture } = await setup();
    const missing = await rejected(provider().listHeads(target(server, 'team/nope'), list()));
    expect(missing.code).toBe('PROVIDER_NOT_FOUND');
    expect(missing.message).toContain('"nope"');

    const anonymous = await rejected(provider().listHeads({ ...fixture.target, auth: undefined }, list()));
    expect(anonymous.code).toBe('PROVIDER_NOT_FOUND');
    expect(anonymous.message).toContain('token');
  });

  it('an answer that is not Gitea JSON → PROVIDER_BAD_RESPONSE', async () => {
    const { server, fixture } = await setup();
    server.fault({
      status: 200,
      path: BRANCHES,
      headers: { 'content-type': 'text/html' },
      body: '<!doctype html><title>Sign in</title>',
    });
    const html = await rejected(provider().listHeads(fixture.target, list()));
    expect(html.code).toBe('PROVIDER_BAD_RESPONSE');

    server.fault({ status: 200, path: BRANCHES, body: [{ ref: 'refs/heads/main' }] });
    const shapeless = await rejected(provider().listHeads(fixture.target, list()));
    expect(shapeless.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(shapeless.message).toContain('object id');

    const tag = { ref: 'refs/tags/v1', url: '', object: { sha: 'a'.repeat(40), type: 'commit', url: '' } };
    server.fault({ status: 200, path: BRANCHES, body: [tag] });
    const notABranch = await rejected(provider().listHeads(fixture.target, list()));
    expect(notABranch.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(notABranch.message).toContain('refs/heads/');

    server.fault({ status: 200, path: /\/branches\/main$/, body: { name: 'main' } });
    const branchless = await rejected(provider().listHeads(fixture.target, list(['main'])));
    expect(branchless.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(branchless.message).toContain('commit id');
  });

  it('an invalid repo_url fails before any request with PROVIDER_INVALID_URL', async () => {
    const { server, fixture } = await setup();
    const error = await rejected(
      provider().listHeads(
        { ...fixture.target, url: `file:///srv/git/app.git`, auth: { token: TOKEN } },
        list(),
      ),
    );
    expect(error.code).toBe('PROVIDER_INVALID_URL');
    expect(error.message).toContain('"app"');
    expect(server.requests).toHaveLength(0);
  });
});

describe('redirects', () => {
  it('a redirect to another path of the same host goes without the token', async () => {
    const { server, fixture } = await setup();
    server.fault({ status: 302, path: BRANCHES, headers: { location: `${server.url}/other/api/v1/x` } });
    // The 404 there reads as "no refs": the branch list is read next, under the API root.
    await provider().listHeads(fixture.target, list());
    const outside = server.requests.filter((request) => request.path.startsWith('/other/'));
    expect(outside.length).toBeGreaterThan(0);
    for (const request of outside) expect(request.headers.authorization).toBeUndefined();
    // Under the API root the token was sent.
    expect(server.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);
    // The hop outside the fake's routes is this test's point, checked above: not an unexpected request.
    for (const request of outside) server.requests.splice(server.requests.indexOf(request), 1);
  });
});
