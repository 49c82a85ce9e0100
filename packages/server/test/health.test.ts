import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { createMemoryStateStore, type StateStore } from '@sentry-git/core';
import { nextEvent } from '@sentry-git/core/testing';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createServer, pollIntervalSeconds, pollStaleness } from '../src/index.js';
import { call, engine, serve, shellRepository } from './helpers.js';

/** A memory store whose next `listRuns` after `arm()` waits for `release()`: a request held in flight. */
function gatedStore() {
  const inner = createMemoryStateStore();
  let armed = false;
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => {
    enter = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const store: StateStore = {
    ...inner,
    async listRuns(filter) {
      if (armed) {
        armed = false;
        enter();
        await gate;
      }
      return inner.listRuns(filter);
    },
  };
  return {
    store,
    entered,
    release,
    arm() {
      armed = true;
    },
  };
}

describe('GET /healthz', () => {
  it('answers 200 {status: ok} before any poll and even when the state store is gone', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sentry = await engine({ repositories: [shellRepository('app', repo.bare, '/dev/null')] });
    const { url } = await serve(sentry);
    expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, json: { status: 'ok' } });
    await sentry.store.close();
    expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, json: { status: 'ok' } });
  });
});

describe('GET /readyz', () => {
  it('is ready within the start grace, after a poll cycle, and 503 with the reason when the store fails', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sentry = await engine({
      polling_interval: 3600,
      repositories: [shellRepository('app', repo.bare, '/dev/null')],
    });
    const { url } = await serve(sentry);

    // No cycle yet, but the server started less than 3 intervals ago.
    expect(await call(`${url}/readyz`)).toMatchObject({
      status: 200,
      json: { status: 'ok', lastPollAt: null },
    });

    const finished = nextEvent(sentry, 'poll:finish');
    await sentry.pollOnce();
    await finished;
    const ready = await call(`${url}/readyz`);
    expect(ready).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(Date.parse(ready.json.lastPollAt)).not.toBeNaN();

    await sentry.store.close();
    const broken = await call(`${url}/readyz`);
    expect(broken.status).toBe(503);
    expect(broken.json).toMatchObject({
      status: 'unavailable',
      reasons: [expect.stringMatching(/^the state store does not answer: /)],
    });
  });

  it('the rule: fresh within 3 intervals of the last cycle, or of the server start before the first cycle', () => {
    const base = { startedAt: 1_000_000, intervalSeconds: 60 };
    expect(pollStaleness({ ...base, lastFinishedAt: undefined, now: 1_000_000 + 180_000 })).toBeUndefined();
    expect(pollStaleness({ ...base, lastFinishedAt: undefined, now: 1_000_000 + 180_001 })).toBe(
      'no poll cycle finished yet (180 s since the server started; limit 3 × polling_interval = 180 s)',
    );
    const last = 5_000_000;
    expect(pollStaleness({ ...base, lastFinishedAt: last, now: last + 179_000 })).toBeUndefined();
    expect(pollStaleness({ ...base, lastFinishedAt: last, now: last + 240_000 })).toBe(
      'the last poll cycle finished 240 s ago (limit 3 × polling_interval = 180 s)',
    );
  });

  it('the interval is the shortest one a repository is polled at', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sentry = await engine({
      polling_interval: 600,
      repositories: [
        shellRepository('a', repo.bare, '/dev/null', {
          monitor: { repo_url: repo.bare, branches: ['main'], polling_interval: 3600 },
        }),
        shellRepository('b', repo.bare, '/dev/null', {
          monitor: { repo_url: repo.bare, branches: ['main'], polling_interval: 7200 },
        }),
      ],
    });
    expect(pollIntervalSeconds(sentry.config)).toBe(3600);
  });
});

describe('close()', () => {
  it('stops accepting, lets the request in flight finish, then resolves', async () => {
    const dir = await tempdir();
    const repo = await gitdir({ branches: ['main'] });
    const gated = gatedStore();
    const sentry = await engine(
      { repositories: [shellRepository('app', repo.bare, path.join(dir, 'log'))] },
      { stateStore: gated.store, dir },
    );
    const { server, url } = await serve(sentry);
    gated.arm();
    const inFlight = call(`${url}/readyz`);
    await gated.entered;

    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    // A new request is refused (connection closed or 503) while the first one is still held.
    const late = await call(`${url}/healthz`).then(
      (answer) => answer.status,
      () => 'refused' as const,
    );
    expect(late === 'refused' || late === 503).toBe(true);
    expect(closed).toBe(false);

    gated.release();
    expect((await inFlight).status).toBe(200);
    await closing;
    expect(closed).toBe(true);
  });
});

describe('close() and connections that never sent a request', () => {
  it('closes them instead of waiting for them (a browser preconnects; Node would wait forever)', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sentry = await engine({ repositories: [shellRepository('app', repo.bare, '/dev/null')] });
    const { server, url } = await serve(sentry);
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const gone = once(socket, 'close');
    await server.close();
    await gone;
  });
});

describe('listen()', () => {
  it('a port in use fails with SERVER_LISTEN_FAILED naming it and what to do', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sentry = await engine({ repositories: [shellRepository('app', repo.bare, '/dev/null')] });
    const { url } = await serve(sentry);
    const port = Number(new URL(url).port);
    const second = createServer(sentry, { defaultMetrics: false });
    await expect(second.listen({ port, host: '127.0.0.1' })).rejects.toMatchObject({
      code: 'SERVER_LISTEN_FAILED',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}.*Fix: Choose another port`)),
    });
    await second.close();
  });
});
