import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPooledFetch, type PooledResponse } from '../src/http/pooled-fetch.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const sockets = new Set<unknown>();
  const server = createServer(handler);
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

describe('createPooledFetch', () => {
  it('answers like fetch: status, headers, JSON, and keeps the connection for the next request', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-seen': String(req.headers.authorization) });
      res.end(JSON.stringify({ path: req.url }));
    });
    const fetch = createPooledFetch();
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${server.url}/a?x=${i}`, { headers: { Authorization: 'token t' } });
      expect(response.status).toBe(200);
      expect(response.ok).toBe(true);
      expect(response.headers.get('x-seen')).toBe('token t');
      expect(await response.json()).toEqual({ path: `/a?x=${i}` });
    }
    // Reused: five requests one after another need at most a second connection (the first may
    // not be back in the pool yet when the next request goes out), never five.
    expect(server.sockets.size).toBeLessThanOrEqual(2);
  });

  it('follows a redirect unless told not to, and drops Authorization for another origin', async () => {
    const other = await serve((req, res) => res.end(String(req.headers.authorization ?? 'none')));
    const server = await serve((req, res) => {
      if (req.url === '/away') res.writeHead(302, { location: `${other.url}/there` }).end();
      else if (req.url === '/moved') res.writeHead(301, { location: '/here' }).end();
      else res.end(`here ${req.headers.authorization}`);
    });
    const fetch = createPooledFetch();
    const same = await fetch(`${server.url}/moved`, { headers: { authorization: 'token t' } });
    expect(await same.text()).toBe('here token t');
    expect(same.url).toBe(`${server.url}/here`);
    expect(same.redirected).toBe(true);
    expect(await (await fetch(`${server.url}/away`, { headers: { authorization: 'token t' } })).text()).toBe(
      'none',
    );
    const manual = await fetch(`${server.url}/moved`, { redirect: 'manual' });
    expect(manual.status).toBe(301);
    expect(manual.headers.get('location')).toBe('/here');
  });

  it('fails like fetch when nothing answers, and with the reason when aborted', async () => {
    const fetch = createPooledFetch();
    const refused = await fetch('http://127.0.0.1:1/').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe('fetch failed');
    expect(((refused as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');

    const server = await serve(() => {});
    const controller = new AbortController();
    const pending = fetch(`${server.url}/slow`, { signal: controller.signal });
    controller.abort(new Error('stop now'));
    await expect(pending).rejects.toThrow('stop now');
  });

  it('reads headers as Headers does: any case, repeated values joined, iterable in name order', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('X-Multi', ['a', 'b']);
      res.setHeader('Link', '<https://x/?page=2>; rel="next"');
      res.end('');
    });
    const response = await createPooledFetch()(`${server.url}/`);
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('LINK')).toBe('<https://x/?page=2>; rel="next"');
    expect(response.headers.has('missing')).toBe(false);
    expect(response.headers.get('missing')).toBeNull();
    const names = [...response.headers].map(([name]) => name);
    expect(names).toEqual([...names].sort());
    expect(Object.fromEntries(response.headers.entries())['x-multi']).toBe('a, b');
  });

  it('sends a string body with its method', async () => {
    const server = await serve(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.end(`${req.method} ${Buffer.concat(chunks).toString()}`);
    });
    const response = await createPooledFetch()(`${server.url}/statuses`, {
      method: 'POST',
      body: '{"state":"success"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await response.text()).toBe('POST {"state":"success"}');
  });

  it('fails the body read with the reason when aborted after the headers, and with the cause when the server cuts it', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one, ');
      // /cut: the server goes away mid-body; /stall: it never finishes.
      if (req.url === '/cut') setImmediate(() => res.socket?.destroy());
    });
    const fetch = createPooledFetch();
    const controller = new AbortController();
    const stalled = await fetch(`${server.url}/stall`, { signal: controller.signal });
    expect(stalled.status).toBe(200);
    const reading = stalled.text();
    controller.abort(new Error('poll deadline'));
    await expect(reading).rejects.toThrow('poll deadline');

    const cut = await fetch(`${server.url}/cut`);
    await expect(cut.text()).rejects.toThrow();
  });

  it('reads a body once, in pieces as they came, as text, JSON or bytes', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Three writes a tick apart arrive as separate chunks; "é" is split across two of them.
      const bytes = Buffer.from('{"name":"café"}');
      res.write(bytes.subarray(0, 12));
      setImmediate(() => {
        res.write(bytes.subarray(12, 13));
        setImmediate(() => res.end(bytes.subarray(13)));
      });
    });
    const fetch = createPooledFetch();
    const first = await fetch(`${server.url}/`);
    expect(first.bodyUsed).toBe(false);
    expect(await first.json()).toEqual({ name: 'café' });
    expect(first.bodyUsed).toBe(true);
    await expect(first.text()).rejects.toThrow('Body is unusable');
    const bytes = new Uint8Array(await (await fetch(`${server.url}/`)).arrayBuffer());
    expect(Buffer.from(bytes).toString('utf8')).toBe('{"name":"café"}');
    const pooled = (await fetch(`${server.url}/`)) as unknown as PooledResponse;
    expect(Buffer.from((await pooled.bytes?.()) ?? []).toString('utf8')).toBe('{"name":"café"}');
  });

  it('keeps the connection after a cancelled small body, and gives up a large one', async () => {
    const big = Buffer.alloc(512 * 1024, 'x');
    const server = await serve((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(req.url === '/big' ? big : 'try again');
    });
    const fetch = createPooledFetch();
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${server.url}/small`);
      expect(response.status).toBe(500);
      await response.body?.cancel();
      await expect(response.text()).rejects.toThrow('Body is unusable');
    }
    expect(server.sockets.size).toBeLessThanOrEqual(2);
    const large = await fetch(`${server.url}/big`);
    await large.body?.cancel();
    const after = await fetch(`${server.url}/small`);
    expect(after.status).toBe(500);
    expect(await after.text()).toBe('try again');
  });

  it('fails a read under way when its body is cancelled, rather than answering what came so far', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 50);
    });
    const response = await createPooledFetch()(`${server.url}/`);
    const reading = response.text();
    await response.body?.cancel();
    await expect(reading).rejects.toThrow('aborted');
  });

  it('waits past an informational answer for the real one', async () => {
    const server = await serve((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      setImmediate(() => res.writeHead(200, { 'x-final': 'yes' }).end('done'));
    });
    const response = await createPooledFetch()(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-final')).toBe('yes');
    expect(await response.text()).toBe('done');
  });

  it('answers 204 and 304 without a body to cancel, and an aborted signal before sending', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/none' ? 204 : 304).end();
    });
    const fetch = createPooledFetch();
    const none = await fetch(`${server.url}/none`);
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
    expect(await none.text()).toBe('');
    const same = await fetch(`${server.url}/same`, { headers: { 'if-none-match': '"a"' } });
    expect(same.status).toBe(304);
    expect(same.body).toBeNull();
    await expect(
      fetch(`${server.url}/none`, { signal: AbortSignal.abort(new Error('already')) }),
    ).rejects.toThrow('already');
  });
});
