import { describe, expect, it, onTestFinished } from 'vitest';
import { createMemoryStateStore, createSentry, definePlugin, type StateStore } from '../src/index.js';

const SHA = 'a'.repeat(40);

/** The memory store, recording every call made to it by name. */
function recordingStore(): { store: StateStore; calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(createMemoryStateStore(), {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

const forge = definePlugin({
  name: 'still-forge',
  providers: [
    {
      id: 'still',
      capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
      async listHeads() {
        return { heads: [{ branch: 'main', sha: SHA }] };
      },
    },
  ],
  executors: [
    {
      id: 'nothing',
      capabilities: { reattach: false },
      async execute() {
        throw new Error('nothing changes, so nothing deploys');
      },
    },
  ],
});

describe('an unchanged poll', () => {
  it('reads and writes nothing in the state store once the repositories are known', async () => {
    const { store, calls } = recordingStore();
    const sentry = await createSentry({
      config: {
        polling_interval: 3600,
        state: { driver: 'memory' },
        repositories: ['one', 'two', 'three'].map((name) => ({
          name,
          monitor: { repo_url: `https://forge.invalid/${name}.git`, repo_type: 'still', branches: ['main'] },
          deploy: { executor: 'nothing' },
        })),
      },
      plugins: [forge],
      stateStore: store,
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    const baseline = await sentry.pollOnce();
    expect(baseline.errors).toBe(0);
    expect(calls).toContain('recordDetection');

    // The first cycle after a write reads the heads it no longer holds (the write emptied the
    // cache) in one bulk read, not one per repository; it writes nothing.
    calls.length = 0;
    await sentry.pollOnce();
    expect(calls).toEqual(['getHeadsMany']);

    calls.length = 0;
    for (let cycle = 0; cycle < 3; cycle += 1) {
      const result = await sentry.pollOnce();
      expect(result).toMatchObject({ checked: 3, changed: 0, errors: 0, runs: [] });
    }
    expect(calls).toEqual([]);
  });
});
