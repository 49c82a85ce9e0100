import { rename } from 'node:fs/promises';
import { type GitFixture, gitdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createHealthBook } from '../src/engine/health.js';
import { createPollHealthRecorder, MAX_STORED_POLL_ERROR } from '../src/engine/poll-health.js';
import {
  createMemoryStateStore,
  createRedactor,
  createSentry,
  REDACTED,
  type Sentry,
  type StateStore,
  validateConfig,
} from '../src/index.js';
import { testPlugin } from './notify-helpers.js';

/** The state store's methods that write. */
const WRITES = [
  'recordDetection',
  'markDeployed',
  'recordPollFailure',
  'clearPollFailures',
  'updateRun',
  'updateJob',
  'recoverInterrupted',
] as const;

/** A memory store that counts its writes and outlives the engines using it (close() is a no-op). */
function countingStore(): { store: StateStore; writes: string[] } {
  const inner = createMemoryStateStore();
  const writes: string[] = [];
  const store: StateStore = { ...inner, close: async () => {} };
  for (const name of WRITES) {
    const original = inner[name] as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      writes.push(name);
      return original(...args);
    };
  }
  return { store, writes };
}

async function engine(repo: GitFixture, store: StateStore): Promise<Sentry> {
  return createSentry({
    config: {
      polling_interval: 60,
      state: { driver: 'memory' },
      repositories: [
        { name: 'app', monitor: { repo_url: repo.bare, branches: ['main'] }, deploy: { executor: 'test' } },
      ],
    },
    plugins: [testPlugin()],
    stateStore: store,
    // The repository's path stands in for a credential in the error text.
    secrets: [repo.bare],
    env: {},
  });
}

/** Moves the bare repository away (polls fail) or back (they succeed). */
function breaker(repo: GitFixture) {
  return {
    break: () => rename(repo.bare, `${repo.bare}.away`),
    mend: () => rename(`${repo.bare}.away`, repo.bare),
  };
}

const HEALTHY = { consecutiveFailures: 0, lastError: null, lastErrorAt: null, failingSince: null };

describe('poll health in the state store', () => {
  it('records each failed poll, redacted, shows it in status(), and clears it on the first success', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const { store } = countingStore();
    const sentry = await engine(repo, store);
    const remote = breaker(repo);
    await remote.break();
    const first = await sentry.pollOnce();
    expect(first.errors).toBe(1);
    await sentry.pollOnce();
    await sentry.pollOnce();

    const stored = await store.getPollHealth('app');
    expect(stored).toEqual({
      consecutiveFailures: 3,
      lastError: expect.stringContaining(REDACTED),
      lastErrorAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      failingSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(stored.lastError).not.toContain(repo.bare);
    expect(stored.failingSince! <= stored.lastErrorAt!).toBe(true);
    const [status] = await sentry.status();
    expect(status!.seen).toBe(false);
    expect(status!.health).toMatchObject(stored);
    expect(status!.health.lastPollAt).toEqual(expect.any(String));

    await remote.mend();
    expect((await sentry.pollOnce()).errors).toBe(0);
    await expect(store.getPollHealth('app')).resolves.toEqual(HEALTHY);
    expect((await sentry.status())[0]!.health).toMatchObject(HEALTHY);
    await sentry.close();
  });

  it('writes nothing for an unchanged successful poll: one write per failure, one for the recovery', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const { store, writes } = countingStore();
    const sentry = await engine(repo, store);
    const remote = breaker(repo);
    await sentry.pollOnce();
    expect(writes).toContain('recordDetection');
    writes.length = 0;

    for (let i = 0; i < 5; i += 1) await sentry.pollOnce();
    expect(writes).toEqual([]);

    await remote.break();
    await sentry.pollOnce();
    await sentry.pollOnce();
    await remote.mend();
    await sentry.pollOnce();
    for (let i = 0; i < 3; i += 1) await sentry.pollOnce();
    expect(writes).toEqual(['recordPollFailure', 'recordPollFailure', 'clearPollFailures']);
    await sentry.close();
  });

  it('a restarted engine goes on counting where the last one stopped, and clears the old streak', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const { store } = countingStore();
    const remote = breaker(repo);
    await remote.break();
    const before = await engine(repo, store);
    await before.pollOnce();
    await before.pollOnce();
    await before.close();
    const since = (await store.getPollHealth('app')).failingSince;

    const after = await engine(repo, store);
    // Without polling, status already reads the earlier process's streak from the store.
    expect((await after.status())[0]!.health).toMatchObject({ consecutiveFailures: 2, failingSince: since });
    const failed = new Promise<number>((resolve) =>
      after.once('poll:error', ({ consecutiveFailures }) => resolve(consecutiveFailures)),
    );
    await after.pollOnce();
    expect(await failed).toBe(3);
    await expect(store.getPollHealth('app')).resolves.toMatchObject({
      consecutiveFailures: 3,
      failingSince: since,
    });
    await remote.mend();
    await after.pollOnce();
    await expect(store.getPollHealth('app')).resolves.toEqual(HEALTHY);
    await after.close();
  });

  it('stores a long error cut to a bounded length, and reports a store that cannot write', async () => {
    const repositories = validateConfig({
      repositories: [
        { name: 'app', monitor: { repo_url: 'x', branches: ['main'] }, deploy: { commands: ['true'] } },
      ],
    }).repositories;
    const store = createMemoryStateStore();
    const failures: string[] = [];
    const recorder = createPollHealthRecorder({
      store,
      redactor: createRedactor(['hunter2']),
      health: createHealthBook(repositories, { interval: 60, jitter: 0 }),
      repositories,
      onError: (error, repository) => failures.push(`${repository}: ${(error as Error).message}`),
    });
    await recorder.persist('app', `token hunter2 ${'x'.repeat(5000)}`, 0, Date.UTC(2024, 0, 1));
    const stored = await store.getPollHealth('app');
    expect(stored.lastError).toHaveLength(MAX_STORED_POLL_ERROR);
    expect(stored.lastError).toMatch(/^token \S+ x+…$/);
    expect(stored.lastError).not.toContain('hunter2');
    expect(stored.lastErrorAt).toBe('2024-01-01T00:00:00.000Z');

    await store.close();
    await expect(recorder.persist('app', 'down', 1, Date.now())).resolves.toBeUndefined();
    expect(failures).toEqual([expect.stringMatching(/^app: The memory state store is closed/)]);
  });
});
