import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { directGet } from '../src/direct-get.js';

/** A loopback server answering each path with a fixed status and body. */
async function serve(answers: Record<string, { status: number; body: string }>): Promise<string> {
  const server = createServer((request, response) => {
    const answer = answers[request.url ?? ''] ?? { status: 404, body: '{"message":"not found"}' };
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('directGet: gitea-js’s answer shape without its request builder', () => {
  it('a 2xx carries the parsed body as data', async () => {
    const base = await serve({ '/branches': { status: 200, body: '[{"name":"main"}]' } });
    const response = await directGet<Array<{ name: string }>>(
      fetch,
      `${base}/branches`,
      AbortSignal.timeout(5000),
    );
    expect(response.status).toBe(200);
    expect(response.data).toEqual([{ name: 'main' }]);
    expect(response.error).toBeNull();
  });

  it('a non-2xx is thrown as the Response with the parsed error body, as gitea-js throws it', async () => {
    const base = await serve({});
    const thrown = await directGet(fetch, `${base}/missing`, AbortSignal.timeout(5000)).catch(
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(404);
    expect((thrown as { error: unknown }).error).toEqual({ message: 'not found' });
  });

  it('a 2xx that is not JSON has no data (the caller reports a bad response)', async () => {
    const base = await serve({ '/odd': { status: 200, body: '<html>' } });
    const response = await directGet(fetch, `${base}/odd`, AbortSignal.timeout(5000));
    expect(response.data).toBeNull();
    expect(response.error).toBeInstanceOf(SyntaxError);
  });
});
