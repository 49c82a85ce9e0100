import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApiClient, serverAnswers } from '../src/remote/client.js';
import { readEvents } from '../src/remote/sse.js';

/** A real HTTP server on 127.0.0.1 answering with `handler`; closed after the test. */
async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

describe('the client of the running watch’s API', () => {
  it('sends the bearer token and JSON, and reads the answer', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const url = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, auth: request.headers.authorization, body });
        json(response, 200, { run: { id: 'run_1' }, outcome: 'cancelled' });
      });
    });
    const client = createApiClient({ url, token: 'token-1' });
    const answer = await client.json<{ outcome: string }>('cancel', 'POST', '/api/v1/runs/run_1/cancel', {
      reason: 'wrong commit',
    });
    expect(answer.outcome).toBe('cancelled');
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/api/v1/runs/run_1/cancel',
        auth: 'Bearer token-1',
        body: '{"reason":"wrong commit"}',
      },
    ]);
  });

  it('turns a refusal into the server’s own error: its code, message and fix', async () => {
    const url = await serve((request, response) => {
      if (request.url === '/conflict')
        json(response, 409, {
          error: { code: 'RUN_FINISHED', message: 'Run run_1 has finished.', fix: 'Re-run it.' },
        });
      else if (request.url === '/engine')
        json(response, 400, {
          error: { code: 'SHA_INVALID', message: 'Bad SHA "x". Fix: give 40 hex digits.' },
        });
      else if (request.url === '/token')
        json(response, 401, { error: { code: 'UNAUTHORIZED', message: 'No token.' } });
      else {
        response.writeHead(502);
        response.end('<html>bad gateway</html>');
      }
    });
    const client = createApiClient({ url, token: 'token-1' });
    await expect(client.json('cancel', 'POST', '/conflict')).rejects.toMatchObject({
      code: 'RUN_FINISHED',
      message: 'Run run_1 has finished. Fix: Re-run it.',
    });
    await expect(client.json('deploy', 'POST', '/engine')).rejects.toMatchObject({
      code: 'SHA_INVALID',
      message: 'Bad SHA "x". Fix: give 40 hex digits.',
    });
    await expect(client.json('pause', 'POST', '/token')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(
        new RegExp(
          `^The running sentry-git server at ${url} refused the pause \\(401 UNAUTHORIZED\\): No token\\. Fix: Set SENTRY_GIT_TOKEN`,
        ),
      ),
    });
    await expect(client.json('plan', 'GET', '/other')).rejects.toMatchObject({
      code: 'TRIGGER_FORWARD_FAILED',
      message: expect.stringContaining('answered the plan with 502'),
    });
  });

  it('tells a port nobody listens on from a server, and names the server it could not reach', async () => {
    const url = await serve((_request, response) => json(response, 200, { status: 'ok' }));
    expect(await serverAnswers({ url, token: 't' })).toBe(true);
    // A port just freed: nothing listens on it any more.
    const free = await new Promise<string>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: freed } = server.address() as AddressInfo;
        server.close(() => resolve(`http://127.0.0.1:${freed}`));
      });
    });
    expect(await serverAnswers({ url: free, token: 't' })).toBe(false);
    await expect(
      createApiClient({ url: free, token: 't' }).json('rerun', 'POST', '/x'),
    ).rejects.toMatchObject({
      code: 'TRIGGER_FORWARD_FAILED',
      message: expect.stringContaining(`The sentry-git server at ${free} could not be reached for the rerun`),
    });
  });

  it('reads a server-sent event stream split anywhere: names, multi-line data, ids, comments', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const text =
        ': ping\n\nid: b-1\nevent: job:start\ndata: {"a":\ndata: 1}\n\nid: b-2\r\nevent: run:finish\r\ndata: {}\r\n\r\ndata: plain\n\n';
      // One byte a write: every boundary falls somewhere odd.
      let index = 0;
      const next = () => {
        if (index >= text.length) {
          response.end();
          return;
        }
        response.write(text[index]);
        index += 1;
        setImmediate(next);
      };
      next();
    });
    const client = createApiClient({ url, token: 't' });
    const events = [];
    for await (const event of readEvents(await client.stream('event stream', '/api/v1/events')))
      events.push(event);
    expect(events).toEqual([
      { event: 'job:start', data: '{"a":\n1}', id: 'b-1' },
      { event: 'run:finish', data: '{}', id: 'b-2' },
      { event: 'message', data: 'plain', id: 'b-2' },
    ]);
  });
});
