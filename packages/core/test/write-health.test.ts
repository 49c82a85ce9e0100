import { describe, expect, it } from 'vitest';
import {
  createMemoryStateStore,
  createRedactor,
  type SentryEvents,
  type StateStore,
  stateWriteHealth,
} from '../src/index.js';
import { createEventBus, observeStateWrites } from '../src/internal.js';

/** A memory store whose writes fail with `failure` while it is set (what a full disk does to SQLite). */
function faultyStore(): { store: StateStore; fail(error: Error | undefined): void } {
  const inner = createMemoryStateStore();
  let failure: Error | undefined;
  const store: StateStore = {
    ...inner,
    async markDeployed(repository, branch, sha) {
      if (failure) throw failure;
      return inner.markDeployed(repository, branch, sha);
    },
  };
  return { store, fail: (error) => (failure = error) };
}

describe('observeStateWrites()', () => {
  it('turns a storage failure into STATE_WRITE_FAILED, reports it, and recovers on the next success', async () => {
    const bus = createEventBus(createRedactor([]));
    const failed: SentryEvents['state:write-failed'][] = [];
    const recovered: SentryEvents['state:write-recovered'][] = [];
    bus.on('state:write-failed', (event) => failed.push(event));
    bus.on('state:write-recovered', (event) => recovered.push(event));
    const faulty = faultyStore();
    const store = observeStateWrites(faulty.store, { bus, now: () => new Date('2026-01-05T10:00:00Z') });
    expect(stateWriteHealth(store)).toEqual({
      writable: true,
      failedWrites: 0,
      failingSince: null,
      lastError: null,
    });
    expect(stateWriteHealth(faulty.store)).toBeUndefined();

    faulty.fail(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    await expect(store.markDeployed('app', 'main', 'abc')).rejects.toMatchObject({
      code: 'STATE_WRITE_FAILED',
      message: expect.stringMatching(/could not record app main \(markDeployed\): database or disk is full/),
    });
    await expect(store.markDeployed('app', 'main', 'abc')).rejects.toMatchObject({
      code: 'STATE_WRITE_FAILED',
    });
    expect(failed.map((event) => event.operation)).toEqual(['markDeployed', 'markDeployed']);
    expect(store.writeHealth()).toMatchObject({
      writable: false,
      failedWrites: 2,
      failingSince: '2026-01-05T10:00:00.000Z',
    });
    // Reads still answer.
    expect(await store.getHeads('app')).toEqual({ seen: false, heads: [] });

    faulty.fail(undefined);
    await store.markDeployed('app', 'main', 'abc');
    expect(recovered).toEqual([
      { operation: 'markDeployed', failedWrites: 2, failingSince: '2026-01-05T10:00:00.000Z' },
    ]);
    expect(store.writeHealth().writable).toBe(true);
    await store.markDeployed('app', 'main', 'abc');
    expect(recovered).toHaveLength(1);
  });

  it('a refusal by the store (STATE_NOT_FOUND) is no storage failure', async () => {
    const bus = createEventBus(createRedactor([]));
    const store = observeStateWrites(createMemoryStateStore(), { bus });
    await expect(store.updateRun('no-such-run', { status: 'failed' })).rejects.toMatchObject({
      code: 'STATE_NOT_FOUND',
    });
    expect(store.writeHealth().writable).toBe(true);
  });
});
