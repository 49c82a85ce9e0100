import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSentryError, RateLimitError } from '@sentry-git/core';
import { startGitlabServer } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { gitlabRemote, requestsTo, signal, TOKEN, testProvider } from './helpers.js';

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('resolved, expected a rejection');
    },
    (error: unknown) => error,
  );
}

const everything = { match: () => true };

describe('rate limits', () => {
  it('turns a 429 into RateLimitError with resetAt from RateLimit-Reset, without retrying', async () => {
    // Far enough ahead that a slow fixture set-up (a busy machine) cannot outlast it.
    const resetAt = new Date(Math.ceil(Date.now() / 1000 + 120) * 1000);
    const { repo, server, target } = await gitlabRemote({ rateLimit: { limit: 600, remaining: 0, resetAt } });
    await repo.commit('main');
    const provider = testProvider();
    const error = await rejection(provider.listHeads(target, { ...everything, signal: signal() }));
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.resetAt.toISOString()).toBe(resetAt.toISOString());
    expect(limited.limit).toBe(600);
    expect(limited.message).toContain('rag-service');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.status).toBe(429);

    // Until the reset the provider does not spend another request to hear the same answer.
    const again = await rejection(provider.listHeads(target, { ...everything, signal: signal() }));
    expect(again).toBeInstanceOf(RateLimitError);
    expect((again as RateLimitError).resetAt.toISOString()).toBe(resetAt.toISOString());
    expect(server.requests).toHaveLength(1);
    expect(server.quotaSpent()).toBe(1);
  });

  it('keeps the spent quota per token: another token on the same host still asks', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000 + 30) * 1000);
    const { repo, server, target } = await gitlabRemote({ rateLimit: { limit: 5, remaining: 0, resetAt } });
    await repo.commit('main');
    const provider = testProvider();
    await rejection(provider.listHeads(target, { ...everything, signal: signal() }));
    const other = { ...target, auth: { token: 'glpat-another-user-token' } };
    const error = await rejection(provider.listHeads(other, { ...everything, signal: signal() }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(2);
  });

  it('knows the quota is spent from a 200 with RateLimit-Remaining: 0 and asks no more before the reset', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000 + 30) * 1000);
    const { repo, server, target } = await gitlabRemote({ rateLimit: { limit: 10, remaining: 1, resetAt } });
    await repo.commit('main');
    const provider = testProvider();
    const first = await provider.listHeads(target, { ...everything, signal: signal() });
    expect(first.rateLimit).toMatchObject({ limit: 10, remaining: 0 });
    const error = await rejection(provider.listHeads(target, { ...everything, signal: signal() }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(1);
  });

  it('reads Retry-After when the 429 carries no RateLimit-Reset', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({
      status: 429,
      headers: { 'Retry-After': '30', 'content-type': 'text/plain' },
      body: 'Retry later\n',
    });
    const before = Date.now();
    const error = (await rejection(
      testProvider().listHeads(target, { ...everything, signal: signal() }),
    )) as RateLimitError;
    const after = Date.now();
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.resetAt.getTime()).toBeGreaterThanOrEqual(before + 30_000);
    expect(error.resetAt.getTime()).toBeLessThanOrEqual(after + 30_000);
    expect(server.requests).toHaveLength(1);
  });

  it('treats a 403 with RateLimit-Remaining: 0 as a rate limit', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    const reset = Math.ceil(Date.now() / 1000) + 5;
    server.fault({
      status: 403,
      headers: { 'RateLimit-Remaining': '0', 'RateLimit-Limit': '100', 'RateLimit-Reset': String(reset) },
      body: { message: '403 Forbidden' },
    });
    const error = (await rejection(
      testProvider().listHeads(target, { ...everything, signal: signal() }),
    )) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.resetAt.getTime()).toBe(reset * 1000);
  });
});

describe('server errors and network faults', () => {
  it('retries 5xx answers with backoff and then succeeds', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    server.fault({ status: 502, body: 'Bad Gateway', times: 1 });
    server.fault({ status: 503, body: { message: '503 Service Unavailable' }, times: 1 });
    const result = await testProvider().listHeads(target, { ...everything, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.map((request) => request.status)).toEqual([502, 503, 200]);
  });

  it('gives up after the configured retries with PROVIDER_UNREACHABLE', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({ status: 500, body: { message: '500 Internal Server Error' }, times: 10 });
    const error = await rejection(
      testProvider({ retries: 2 }).listHeads(target, { ...everything, signal: signal() }),
    );
    expect(isSentryError(error) && error.code).toBe('PROVIDER_UNREACHABLE');
    expect((error as Error).message).toContain('rag-service');
    expect(server.requests).toHaveLength(3);
  });

  it('retries dropped connections, then reports PROVIDER_UNREACHABLE', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    server.fault({ status: 0, reset: true, times: 1 });
    expect((await testProvider().listHeads(target, { ...everything, signal: signal() })).heads).toEqual([
      { branch: 'main', sha: main },
    ]);
    server.fault({ status: 0, reset: true, times: 10 });
    const error = await rejection(
      testProvider({ retries: 1 }).listHeads(target, { ...everything, signal: signal() }),
    );
    expect(isSentryError(error) && error.code).toBe('PROVIDER_UNREACHABLE');
  });

  it('reports a host that refuses connections as PROVIDER_UNREACHABLE', async () => {
    const server = await startGitlabServer({ repos: {} });
    const url = `${server.url}/acme/app.git`;
    await server.close();
    const error = await rejection(
      testProvider({ retries: 1 }).listHeads(
        { repository: 'closed', url, type: 'gitlab', auth: { token: TOKEN } },
        { ...everything, signal: signal() },
      ),
    );
    expect(isSentryError(error) && error.code).toBe('PROVIDER_UNREACHABLE');
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('rejects with the signal reason when aborted during a backoff wait', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({ status: 503, body: { message: '503 Service Unavailable' }, times: 10 });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    // A backoff of minutes: only the abort can end this call.
    const provider = testProvider({ retryBaseMs: 600_000, retryMaxMs: 600_000 });
    const pending = rejection(provider.listHeads(target, { ...everything, signal: controller.signal }));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });
});

describe('client errors', () => {
  it('401 → PROVIDER_AUTH_FAILED naming the repository, never the token', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    const wrong = 'glpat-wrong-token-value';
    const error = await rejection(
      testProvider().listHeads({ ...target, auth: { token: wrong } }, { ...everything, signal: signal() }),
    );
    expect(isSentryError(error) && error.code).toBe('PROVIDER_AUTH_FAILED');
    const message = (error as Error).message;
    expect(message).toContain('rag-service');
    expect(message).toContain('401 Unauthorized');
    expect(message).toContain('monitor.auth.token');
    expect(message).not.toContain(wrong);
    expect(JSON.stringify((error as { details?: unknown }).details)).not.toContain(wrong);
    expect(server.requests).toHaveLength(1);
  });

  it('403 insufficient_scope → PROVIDER_AUTH_FAILED with the scope in the fix', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({
      status: 403,
      body: {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api read_api',
      },
    });
    const error = await rejection(testProvider().listHeads(target, { ...everything, signal: signal() }));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_AUTH_FAILED');
    expect((error as Error).message).toMatch(/insufficient_scope/);
    expect((error as Error).message).toMatch(/read_api/);
  });

  it('a private project without a token is "404 Project Not Found" → PROVIDER_NOT_FOUND', async () => {
    const { repo, target } = await gitlabRemote();
    await repo.commit('main');
    const { auth: _auth, ...anonymous } = target;
    const error = await rejection(testProvider().listHeads(anonymous, { ...everything, signal: signal() }));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_NOT_FOUND');
    expect((error as Error).message).toContain('404 Project Not Found');
    expect((error as Error).message).toContain('acme/platform/rag-service');
  });

  it('an answer that is not JSON → PROVIDER_BAD_RESPONSE', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({ status: 200, body: '<html>sign in</html>' });
    const error = await rejection(testProvider().listHeads(target, { ...everything, signal: signal() }));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_BAD_RESPONSE');
  });

  it('does not follow a redirect to another host (the token would go along)', async () => {
    const other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => other.close(() => resolve())));
    const otherPort = (other.address() as AddressInfo).port;
    let hits = 0;
    other.on('request', () => {
      hits += 1;
    });
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({ status: 301, headers: { Location: `http://localhost:${otherPort}/api/v4/x` } });
    const error = await rejection(testProvider().listHeads(target, { ...everything, signal: signal() }));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(hits).toBe(0);
  });

  it('does not follow a redirect to another path of the same host (outside the API root)', async () => {
    const { repo, server, target } = await gitlabRemote();
    await repo.commit('main');
    server.fault({ status: 302, headers: { Location: `${server.url}/other/api/v4/x` } });
    const error = await rejection(testProvider().listHeads(target, { ...everything, signal: signal() }));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_BAD_RESPONSE');
    expect((error as Error).message).toContain(`outside the API root ${server.apiUrl}`);
    expect(server.requests.filter((request) => !request.path.startsWith('/api/v4/'))).toEqual([]);
  });

  it('follows a redirect on the same host (a renamed project)', async () => {
    const { repo, server, target } = await gitlabRemote();
    const main = await repo.commit('main');
    const real = requestsTo(server, 'list branches');
    expect(real).toHaveLength(0);
    const oldTarget = { ...target, url: target.url.replace('rag-service', 'old-name') };
    server.fault({
      status: 301,
      path: /old-name/,
      headers: {
        Location: `${server.apiUrl}/projects/${encodeURIComponent('acme/platform/rag-service')}/repository/branches?per_page=100`,
      },
    });
    const result = await testProvider().listHeads(oldTarget, { ...everything, signal: signal() });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
  });
});
