import { describe, expect, it } from 'vitest';
import { silentServer, testProvider } from './helpers.js';

const target = (url: string) => ({ repository: 'hanging', url, type: 'git' });

describe('a host that never answers', () => {
  it('rejects with GIT_TIMEOUT after timeoutMs and kills git with its children', async () => {
    const server = await silentServer();
    const provider = testProvider({ timeoutMs: 300 });
    const listing = provider.listHeads(target(server.url), {
      match: () => true,
      signal: new AbortController().signal,
    });
    const { closed } = await server.nextConnection();
    const error = await listing.then(
      () => undefined,
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error?.code).toBe('GIT_TIMEOUT');
    expect(error?.message).toContain('hanging');
    expect(error?.message).toContain('300 ms');
    // git-remote-http holds the socket; it closes only if the whole process group was killed.
    await closed;
  });

  it('rejects with the signal reason when aborted mid-call and kills git with its children', async () => {
    const server = await silentServer();
    const provider = testProvider();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const listing = provider.listHeads(target(server.url), { match: () => true, signal: controller.signal });
    const { closed } = await server.nextConnection();
    controller.abort(reason);
    await expect(listing).rejects.toBe(reason);
    await closed;
  });

  it('rejects at once, without running git, when the signal is already aborted', async () => {
    const provider = testProvider({ gitBinary: '/nonexistent/git' });
    const reason = new DOMException('poll deadline', 'TimeoutError');
    await expect(
      provider.listHeads(target('http://127.0.0.1:9/x.git'), {
        match: () => true,
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason);
  });
});
