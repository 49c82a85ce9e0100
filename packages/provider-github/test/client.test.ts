import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createClientCache } from '../src/client.js';
import { resolveOptions } from '../src/options.js';

/** A server that holds every request until `count` are in flight at once, then answers them all. */
async function holdUntilInFlight(count: number) {
  const held: ServerResponse[] = [];
  const tokens = new Set<string>();
  const server = createServer((req, res) => {
    tokens.add(String(req.headers.authorization));
    held.push(res);
    if (held.length < count) return;
    for (const response of held.splice(0)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokens };
}

describe('octokit clients', () => {
  it('one per API root and token, each with its own throttling limiter (not one per process)', async () => {
    // plugin-throttling allows 10 requests in flight per limiter: 20 at once needs two limiters.
    const server = await holdUntilInFlight(20);
    const clientFor = createClientCache(resolveOptions({}));
    const first = await clientFor({ baseUrl: server.url, token: 'token-one' });
    const second = await clientFor({ baseUrl: server.url, token: 'token-two' });
    expect(await clientFor({ baseUrl: server.url, token: 'token-one' })).toBe(first);
    const calls = [first, second].flatMap((client) =>
      Array.from({ length: 10 }, (_, index) =>
        client.request('GET /repos/{owner}/{repo}', { owner: 'o', repo: `r${index}` }),
      ),
    );
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(server.tokens).toEqual(new Set(['token token-one', 'token token-two']));
  });

  it("keeps 50 requests in flight per client by default, not plugin-throttling's 10", async () => {
    // The server answers only once 50 are waiting: a client capped below that would hang here.
    const server = await holdUntilInFlight(50);
    const client = await createClientCache(resolveOptions({}))({ baseUrl: server.url, token: 't' });
    const calls = Array.from({ length: 50 }, (_, index) =>
      client.request('GET /repos/{owner}/{repo}', { owner: 'o', repo: `r${index}` }),
    );
    expect((await Promise.all(calls)).length).toBe(50);
  });

  it('never has more than maxInFlight requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const server = createServer((_req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, 5);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = await createClientCache(resolveOptions({ maxInFlight: 3 }))({ baseUrl: url, token: 't' });
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        client.request('GET /repos/{owner}/{repo}', { owner: 'o', repo: `r${index}` }),
      ),
    );
    expect(most).toBe(3);
  });

  it('refuses a maxInFlight GitHub would answer with its secondary rate limit', () => {
    expect(() => resolveOptions({ maxInFlight: 101 })).toThrow(/maxInFlight.*1 to 100/);
  });

  it('gives polls someone asked for (urgent) a limiter of their own, so they do not queue behind routine ones', async () => {
    const server = await holdUntilInFlight(20);
    const clientFor = createClientCache(resolveOptions({}));
    const routine = await clientFor({ baseUrl: server.url, token: 'same-token' });
    const urgent = await clientFor({ baseUrl: server.url, token: 'same-token', urgent: true });
    expect(urgent).not.toBe(routine);
    const calls = [routine, urgent].flatMap((client) =>
      Array.from({ length: 10 }, (_, index) =>
        client.request('GET /repos/{owner}/{repo}', { owner: 'o', repo: `r${index}` }),
      ),
    );
    expect((await Promise.all(calls)).length).toBe(20);
    expect(server.tokens).toEqual(new Set(['token same-token']));
  });

  it('creates one client for concurrent first calls while octokit is still loading', async () => {
    const clientFor = createClientCache(resolveOptions({}));
    const request = { baseUrl: 'http://127.0.0.1:1', token: 'token-one' };
    const [first, second] = await Promise.all([clientFor(request), clientFor(request)]);
    expect(second).toBe(first);
  });
});
