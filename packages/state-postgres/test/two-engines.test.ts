import { createSentry, type Sentry, type StateStore } from '@sentry-git/core';
import { forgeRepository, type ScriptedForge, scriptedForge } from '@sentry-git/core/testing';
import { type PostgresCluster, startPostgres } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgresPlugin, { createPostgresStateStore } from '../src/index.js';

/**
 * Two engines (replicas) on one database, in one process for control: the second one's
 * detection is held at the store until the first has recorded, which is the race a webhook
 * reaching one replica and a scheduled poll on another run in production.
 */

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

const SHA = (digit: string) => digit.repeat(40);

/** Moves `app`'s branch `main` on the forge to SHA(digit), as a push does, and returns that SHA. */
function push(test: ScriptedForge, digit: string): string {
  test.set('app', 'main', SHA(digit));
  return SHA(digit);
}

/** The store, whose next detection waits (once `hold()` was called) until `release()`. */
function heldAtDetection(store: StateStore) {
  let held: { reached: () => void; released: Promise<void>; release: () => void } | undefined;
  let reached: Promise<void> = Promise.resolve();
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'recordDetection' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const gate = held;
        held = undefined;
        if (gate) {
          gate.reached();
          await gate.released;
        }
        return value.apply(target, args);
      };
    },
  });
  return {
    store: proxy,
    hold() {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      reached = new Promise<void>((resolve) => {
        held = { reached: resolve, released, release };
      });
      return { reached, release: () => release() };
    },
  };
}

async function engine(
  url: string,
  replica: string,
  test: ScriptedForge,
  store?: StateStore,
): Promise<Sentry> {
  return createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'postgres', url, lease: 60 },
      repositories: [forgeRepository('app')],
    },
    plugins: [postgresPlugin, test.pluginAs(replica)],
    stateStore: store ?? (await createPostgresStateStore({ url })),
    replica,
  });
}

describe('two replicas recording the same repository', () => {
  it('record a push once, and a slower poll never moves the head back', async () => {
    const url = await cluster.createDatabase('two_engines');
    const test = scriptedForge();
    push(test, 'a');
    const held = heldAtDetection(await createPostgresStateStore({ url }));
    const a = await engine(url, 'a', test);
    const b = await engine(url, 'b', test, held.store);
    const changes: Array<{ replica: string; after: string | null }> = [];
    a.on('change', (change) => changes.push({ replica: 'a', after: change.after }));
    b.on('change', (change) => changes.push({ replica: 'b', after: change.after }));
    try {
      await a.pollOnce();

      // Both see the same push; b records second: it finds the head already moved, records nothing.
      const same = push(test, 'b');
      const first = held.hold();
      const slow = b.pollOnce();
      await first.reached;
      const fast = await a.pollOnce();
      first.release();
      const late = await slow;
      expect(fast).toMatchObject({ changed: 1 });
      expect(late).toMatchObject({ changed: 0, runs: [] });
      expect(changes).toEqual([{ replica: 'a', after: same }]);

      // b read the remote before a newer push that a recorded: b's older SHA is not recorded.
      // b polls again at once, against what a recorded, and finds the push made meanwhile.
      const older = push(test, 'c');
      const second = held.hold();
      const stale = b.pollOnce();
      await second.reached;
      const newer = push(test, 'd');
      await a.pollOnce();
      const newest = push(test, 'e');
      second.release();
      expect(await stale).toMatchObject({ changed: 1 });
      expect(changes.slice(1)).toEqual([
        { replica: 'a', after: newer },
        { replica: 'b', after: newest },
      ]);
      expect(changes.map((change) => change.after)).not.toContain(older);
      const heads = await a.store.getHeads('app');
      expect(heads.heads.map((head) => head.sha)).toEqual([newest]);

      await Promise.all([a.idle(), b.idle()]);
      const deployed = (await a.store.listRuns({ limit: 10 })).flatMap((run) =>
        run.jobs.map((job) => job.sha),
      );
      // newer may have been deployed, or replaced by newest in its queued run; older never.
      expect(deployed).toContain(same);
      expect(deployed).toContain(newest);
      expect(deployed).not.toContain(older);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
