import { describe, expect, it, onTestFinished, vi } from 'vitest';
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

/** A provider whose polls all wait until `count` are in flight; `onStart` runs as each begins. */
function waitingForge(count: number, onStart: (signal: AbortSignal) => void = () => {}) {
  const signals: AbortSignal[] = [];
  let allIn: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    allIn = resolve;
  });
  const plugin = definePlugin({
    name: 'waiting-forge',
    providers: [
      {
        id: 'waiting',
        capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
        async listHeads(_target, { signal }) {
          signals.push(signal);
          onStart(signal);
          // A request of each poll listens on the poll's signal, as the HTTP transport does.
          const onAbort = () => {};
          signal.addEventListener('abort', onAbort);
          if (signals.length === count) allIn();
          await gate;
          signal.removeEventListener('abort', onAbort);
          return { heads: [{ branch: 'main', sha: SHA }] };
        },
      },
    ],
  });
  return { plugin, signals };
}

/** Warnings the process emits until the test ends. */
function collectWarnings(): string[] {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  onTestFinished(() => {
    process.off('warning', onWarning);
  });
  return warnings;
}

async function watching(count: number, plugin: ReturnType<typeof definePlugin>) {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      global: { poll_concurrency: count },
      repositories: Array.from({ length: count }, (_, index) => ({
        name: `repo-${index}`,
        monitor: {
          repo_url: `https://forge.invalid/repo-${index}.git`,
          repo_type: 'waiting',
          branches: ['main'],
        },
        deploy: { executor: 'nothing' },
      })),
    },
    plugins: [plugin, forge],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

describe('polls in flight together', () => {
  it('share their deadline signals and raise no MaxListenersExceededWarning', async () => {
    const count = 40;
    const { plugin, signals } = waitingForge(count);
    const warnings = collectWarnings();
    const sentry = await watching(count, plugin);
    const result = await sentry.pollOnce();
    expect(result.errors).toBe(0);
    expect(signals).toHaveLength(count);
    // One signal per slot of start times (poll-deadlines.ts), not one per poll.
    expect(new Set(signals).size).toBeLessThan(count);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('raise no MaxListenersExceededWarning when each started in a slot of its own', async () => {
    // Each poll starts a second after the one before: 16 slots in use at once, each listening on stop.
    vi.useFakeTimers({ toFake: ['performance'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const count = 16;
    const { plugin, signals } = waitingForge(count, () => vi.advanceTimersByTime(1000));
    const warnings = collectWarnings();
    const sentry = await watching(count, plugin);
    expect((await sentry.pollOnce()).errors).toBe(0);
    expect(new Set(signals).size).toBe(count);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
