import type { NoticeChannel, ReplicaNotice, StateStore } from '@sentry-git/core';
import { type PostgresCluster, startPostgres } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPostgresStateStore } from '../src/index.js';

/** The store's notice channel (LISTEN/NOTIFY) between two stores on one database. */

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

async function open(url: string): Promise<{ store: StateStore; notices: NoticeChannel }> {
  const store = await createPostgresStateStore({ url });
  onTestFinished(() => store.close());
  return { store, notices: store.coordination!.notices! };
}

/** Every notice heard, and a wait for the n-th. */
function listener() {
  const heard: ReplicaNotice[] = [];
  const waiters = new Set<() => void>();
  return {
    heard,
    hear(notice: ReplicaNotice) {
      heard.push(notice);
      for (const waiter of waiters) waiter();
    },
    /** Resolves with the `count`-th notice heard, once it is. */
    nth(count: number): Promise<ReplicaNotice> {
      return new Promise((resolve) => {
        const check = () => {
          if (heard.length < count) return;
          waiters.delete(check);
          resolve(heard[count - 1]!);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

describe('the PostgreSQL notice channel', () => {
  it('carries a notice to every store listening, in order; one too large for NOTIFY is not sent', async () => {
    const url = await cluster.createDatabase('notices_order');
    const a = await open(url);
    const b = await open(url);
    const onA = listener();
    await a.notices.subscribe(onA.hear);
    const fields = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [`f${index}`, 'v'.repeat(400)]),
    );
    await b.notices.publish({ event: 'change', replica: 'b', fields });
    await b.notices.publish({ event: 'run:start', replica: 'b', run: 'run_1' });
    await b.notices.publish({ event: 'run:finish', replica: 'b', run: 'run_1', fields: { secret: 'x' } });
    expect(await onA.nth(1)).toEqual({ event: 'run:start', replica: 'b', run: 'run_1', fields: {} });
    await onA.nth(2);
    expect(onA.heard.map((notice) => notice.event)).toEqual(['run:start', 'run:finish']);
  });

  it('listens again after the server restarts, saying so', async () => {
    const url = await cluster.createDatabase('notices_restart');
    const a = await open(url);
    const onA = listener();
    const problems: Array<string | undefined> = [];
    const waiters: Array<() => void> = [];
    const off = await a.notices.subscribe(onA.hear, (message) => {
      problems.push(message);
      waiters.shift()?.();
    });
    const told = () => new Promise<void>((resolve) => waiters.push(resolve));

    const lost = told();
    await cluster.halt();
    await lost;
    expect(problems[0]).toMatch(/lost its connection for replicas' events/);
    await cluster.restart();
    // Its retries back off (each failure is told); the first that finds the server up listens again.
    while (problems.at(-1) !== undefined) await told();
    const b = await open(url);
    await b.notices.publish({ event: 'run:queued', replica: 'b', run: 'run_2' });
    expect(await onA.nth(1)).toMatchObject({ event: 'run:queued', run: 'run_2' });
    off();
  }, 60_000);

  it('refuses to publish or listen once the store is closed', async () => {
    const url = await cluster.createDatabase('notices_closed');
    const store = await createPostgresStateStore({ url });
    const notices = store.coordination!.notices!;
    await store.close();
    await expect(notices.publish({ event: 'run:start', replica: 'a', run: 'run_1' })).rejects.toMatchObject({
      code: 'STATE_CLOSED',
    });
    await expect(notices.subscribe(() => undefined)).rejects.toMatchObject({ code: 'STATE_CLOSED' });
  });
});
