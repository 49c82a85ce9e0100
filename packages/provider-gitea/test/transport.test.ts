import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPooledFetch } from '@sentry-git/core';
import { deadlineSignal, readDigested } from '@sentry-git/core/internal';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTransport } from '../src/transport.js';

/** A loopback server answering every request with one small JSON body. */
async function serve(): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"name":"main"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/branch`;
}

function transportWith(requestTimeoutMs: number) {
  return createTransport({
    token: 't0ken',
    fetch: createPooledFetch() as typeof fetch,
    retries: 0,
    retryDelayMs: 1,
    requestTimeoutMs,
    userAgent: 'sentry-git-test',
  });
}

describe('the Gitea transport', () => {
  it('releases an attempt’s deadline when the body is read as bytes (readDigested)', async () => {
    const url = await serve();
    // A caller's signal with no deadline of its own: each attempt gets a timer and a listener on it.
    const caller = new AbortController().signal;
    const response = await transportWith(30_000)(url, { signal: caller });
    expect(getEventListeners(caller, 'abort')).toHaveLength(1);
    const read = await readDigested(response, undefined);
    expect(read.text).toBe('{"name":"main"}');
    expect(getEventListeners(caller, 'abort')).toHaveLength(0);
  });

  it('hands the answer back unwrapped when the caller’s deadline ends first', async () => {
    const url = await serve();
    // A poll's deadline (30 s) that began before the attempt's (30 s) ends first.
    const poll = deadlineSignal(undefined, 30_000);
    onTestFinished(() => poll.dispose());
    const response = await transportWith(30_000)(url, { signal: poll.signal });
    expect(Object.hasOwn(response, 'text')).toBe(false);
    expect(Object.hasOwn(response, 'bytes')).toBe(false);
    expect(getEventListeners(poll.signal, 'abort')).toHaveLength(0);
    expect(await response.text()).toBe('{"name":"main"}');
  });
});
