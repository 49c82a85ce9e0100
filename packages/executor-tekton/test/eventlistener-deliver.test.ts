import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeJob } from '@sentry-git/core/testing';
import { type FakeServer, type RouteResponse, startFakeServer } from '@sentry-git/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliverEventOptions, deliverEvent, deliveryIdFor } from '../src/eventlistener/index.js';
import { githubInterceptorAccepts } from './eventlistener-helpers.js';

const SECRET = 'listener secret 42';
const job = makeJob({ id: 'job_deliver', repoUrl: 'https://github.com/company/rag' });
const servers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A listener that answers like the Tekton Triggers sink (202 + ids), or `answer` when given. */
async function listener(answer?: () => RouteResponse): Promise<FakeServer> {
  const server = await startFakeServer([
    {
      name: 'sink',
      method: 'POST',
      pattern: /^\/$/,
      handle: () =>
        answer?.() ?? {
          status: 202,
          body: {
            eventListener: 'ci',
            namespace: 'tekton',
            eventListenerUID: 'uid-1',
            eventID: randomUUID(),
          },
        },
    },
  ]);
  servers.push(server);
  return server;
}

function run(overrides: Partial<DeliverEventOptions> & { url: string }) {
  const lines: string[] = [];
  const result = deliverEvent({
    format: 'github',
    secret: SECRET,
    job,
    signal: new AbortController().signal,
    maxRetries: 3,
    retryBaseMs: 1,
    retryMaxMs: 5,
    output: (_stream, text) => lines.push(text),
    ...overrides,
  });
  return { result, lines, text: () => lines.join('') };
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('deliverEvent', () => {
  it('returns the ids of the 202 and says which listener took the event', async () => {
    const server = await listener();
    const { result, text } = run({ url: server.url });
    const delivery = await result;
    expect(delivery).toMatchObject({
      deliveryId: deliveryIdFor(job.id),
      eventListener: 'ci',
      namespace: 'tekton',
      eventListenerUid: 'uid-1',
      status: 202,
      attempts: 1,
    });
    expect(delivery.eventId).toMatch(/^[0-9a-f-]{36}$/);
    const [request] = server.requests;
    expect(request?.headers['x-github-event']).toBe('push');
    expect(
      githubInterceptorAccepts(
        SECRET,
        request?.body ?? '',
        request?.headers['x-hub-signature-256'] as string,
      ),
    ).toBe(true);
    expect(text()).toContain(`EventListener tekton/ci accepted event ${delivery.eventId}`);
    expect(text()).not.toContain(SECRET);
    expect(server.unexpected()).toEqual([]);
  });

  it('retries 503 and a dropped connection with the byte-identical request', async () => {
    const server = await listener();
    server.fault({ status: 503, body: { message: 'listener starting' } });
    server.fault({ status: 0, reset: true });
    const { result, text } = run({ url: server.url });
    expect(await result).toMatchObject({ status: 202, attempts: 3 });
    expect(server.requests).toHaveLength(3);
    const [first, ...rest] = server.requests;
    for (const request of rest) {
      expect(request.body).toBe(first?.body);
      expect(request.headers['x-github-delivery']).toBe(deliveryIdFor(job.id));
      expect(request.headers['x-hub-signature-256']).toBe(first?.headers['x-hub-signature-256']);
    }
    expect(text()).toContain('answered HTTP 503 (listener starting); retrying in');
    expect(text()).toMatch(/unreachable: .*; retrying in/);
    expect(text()).toContain('(attempt 3 of 4)');
  });

  it('honours Retry-After on 429', async () => {
    const server = await listener();
    server.fault({ status: 429, headers: { 'retry-after': '0' }, body: 'slow down' });
    const { result, text } = run({ url: server.url, retryBaseMs: 60_000, retryMaxMs: 60_000 });
    // With the backoff at a minute, finishing at all proves the Retry-After of 0 was used.
    expect(await result).toMatchObject({ status: 202, attempts: 2 });
    expect(text()).toContain('answered HTTP 429 (slow down); retrying in 0s');
  });

  it('does not retry a 400 and reports the status, the message and a fix', async () => {
    const server = await listener(() => ({ status: 400, body: { message: 'bad payload' } }));
    const { result } = run({ url: server.url });
    await expect(result).rejects.toMatchObject({
      code: 'EVENTLISTENER_REJECTED',
      details: { status: 400 },
      message: expect.stringMatching(
        /rejected event .* with HTTP 400: bad payload\. Fix: Check tekton\.event_listener_url/,
      ),
    });
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the secret out of a rejection that echoes it', async () => {
    const server = await listener(() => ({ status: 403, body: { message: `token ${SECRET} not allowed` } }));
    const error = await run({ url: server.url, format: 'gitlab' }).result.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EVENTLISTENER_REJECTED', details: { status: 403 } });
    expect((error as Error).message).toContain('token [REDACTED] not allowed');
    expect((error as Error).message).toContain('ingress or proxy');
    expect((error as Error).message).not.toContain(SECRET);
    expect(server.requests[0]?.headers['x-gitlab-token']).toBe(SECRET);
  });

  it('reports a redirect instead of following it into a GET', async () => {
    const server = await listener(() => ({ status: 301, headers: { location: 'https://el.example.com/' } }));
    await expect(run({ url: server.url }).result).rejects.toMatchObject({
      code: 'EVENTLISTENER_REJECTED',
      message: expect.stringContaining('redirects to (https://el.example.com/)'),
    });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after maxRetries with the URL, credentials redacted, and sends them as Basic auth', async () => {
    const server = await listener(() => ({ status: 502, body: 'bad gateway' }));
    const url = server.url.replace('http://', 'http://robot:hunter2-pass@');
    const { result, text } = run({ url, maxRetries: 2 });
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EVENTLISTENER_UNREACHABLE' });
    expect((error as Error).message).toContain('after 3 attempts (last: answered HTTP 502 (bad gateway))');
    expect((error as Error).message).toContain('http://robot:[REDACTED]@127.0.0.1');
    expect(`${(error as Error).message}${text()}`).not.toContain('hunter2-pass');
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('robot:hunter2-pass').toString('base64')}`,
    );
  });

  it('retries a refused connection, then names the cause', async () => {
    const port = await closedPort();
    const { result } = run({ url: `http://127.0.0.1:${port}/`, maxRetries: 1 });
    await expect(result).rejects.toMatchObject({
      code: 'EVENTLISTENER_UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('counts a listener that never answers as a failed attempt', async () => {
    const held: Server = createServer(() => {
      // Never answers: the request times out on the client side.
    });
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          held.closeAllConnections();
          held.close(() => resolve());
        }),
    });
    const { port } = held.address() as AddressInfo;
    const { result } = run({ url: `http://127.0.0.1:${port}/`, maxRetries: 1, requestTimeoutMs: 50 });
    await expect(result).rejects.toMatchObject({
      code: 'EVENTLISTENER_UNREACHABLE',
      message: expect.stringContaining('after 2 attempts (last: unreachable: no answer within 0.05s)'),
    });
  });

  it('an abort stops the retries at once and throws the abort reason', async () => {
    const server = await listener(() => ({ status: 503 }));
    const controller = new AbortController();
    const reason = new DOMException('job timed out after 1s', 'TimeoutError');
    const { result } = run({
      url: server.url,
      signal: controller.signal,
      retryBaseMs: 600_000,
      retryMaxMs: 600_000,
      // Abort while the first retry waits (ten minutes): only the abort can end the wait.
      output: (_stream, text) => {
        if (text.includes('retrying in')) controller.abort(reason);
      },
    });
    await expect(result).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('accepts a 200 but notes it is not what a Tekton sink answers', async () => {
    const server = await listener(() => ({ status: 200, body: 'ok' }));
    const { result, text } = run({ url: server.url });
    expect(await result).toMatchObject({ status: 200, eventId: null });
    expect(text()).toContain('answered HTTP 200, not the 202');
    expect(text()).toContain('without an eventID');
  });

  it('refuses a URL that is not http(s) before sending anything', async () => {
    await expect(run({ url: 'ftp://el.example.com/' }).result).rejects.toMatchObject({
      code: 'EVENTLISTENER_URL_INVALID',
      path: 'tekton.event_listener_url',
    });
  });
});
