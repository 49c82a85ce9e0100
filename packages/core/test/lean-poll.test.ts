import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withHeadCache } from '../src/engine/head-cache.js';
import { createPollDeadlines } from '../src/engine/poll-deadlines.js';
import type { StateStore } from '../src/interfaces/state-store.js';
import { createMemoryStateStore } from '../src/state/memory.js';
import { deadlineSignal } from '../src/timer-delay.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

/** The memory store, counting its getHeads calls. */
function countingStore(): { store: StateStore; reads: () => number } {
  const store = createMemoryStateStore();
  let reads = 0;
  const getHeads = store.getHeads.bind(store);
  store.getHeads = (repository) => {
    reads += 1;
    return getHeads(repository);
  };
  return { store, reads: () => reads };
}

const baseline = (sha: string) => ({
  repositories: ['app'],
  changes: [{ repository: 'app', branch: 'main', before: null, after: sha, kind: 'baseline' as const }],
});

describe('withHeadCache', () => {
  it('reads a repository from the store once, then from memory', async () => {
    const { store, reads } = countingStore();
    const cached = withHeadCache(store);
    await cached.recordDetection(baseline(SHA_A));
    for (let i = 0; i < 5; i += 1) {
      expect((await cached.getHeads('app')).heads.map((head) => head.sha)).toEqual([SHA_A]);
    }
    expect(reads()).toBe(1);
  });

  it('reads again after a write, and sees what it wrote', async () => {
    const { store, reads } = countingStore();
    const cached = withHeadCache(store);
    await cached.recordDetection(baseline(SHA_A));
    await cached.getHeads('app');
    await cached.recordDetection({
      repositories: [],
      changes: [{ repository: 'app', branch: 'main', before: SHA_A, after: SHA_B, kind: 'updated' }],
    });
    expect((await cached.getHeads('app')).heads[0]?.sha).toBe(SHA_B);
    await cached.markDeployed('app', 'main', SHA_B);
    expect((await cached.getHeads('app')).heads[0]?.deployedSha).toBe(SHA_B);
    expect(reads()).toBe(3);
  });

  it('does not keep a read that a write overtook', async () => {
    const { store } = countingStore();
    await store.recordDetection(baseline(SHA_A));
    const getHeads = store.getHeads.bind(store);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first read returns the heads as they were, after the write below has happened.
    let first = true;
    store.getHeads = async (repository) => {
      const read = await getHeads(repository);
      if (first) {
        first = false;
        await gate;
      }
      return read;
    };
    const cached = withHeadCache(store);
    const slow = cached.getHeads('app');
    await cached.recordDetection({
      repositories: [],
      changes: [{ repository: 'app', branch: 'main', before: SHA_A, after: SHA_B, kind: 'updated' }],
    });
    release();
    expect((await slow).heads[0]?.sha).toBe(SHA_A);
    expect((await cached.getHeads('app')).heads[0]?.sha).toBe(SHA_B);
  });

  it('drops only the repositories a detection or a deploy names: the others stay in memory', async () => {
    const { store, reads } = countingStore();
    const cached = withHeadCache(store);
    await cached.recordDetection({
      repositories: ['app', 'api'],
      changes: [
        { repository: 'app', branch: 'main', before: null, after: SHA_A, kind: 'baseline' },
        { repository: 'api', branch: 'main', before: null, after: SHA_A, kind: 'baseline' },
      ],
    });
    await cached.getHeads('app');
    await cached.getHeads('api');
    expect(reads()).toBe(2);
    await cached.recordDetection({
      repositories: [],
      changes: [{ repository: 'app', branch: 'main', before: SHA_A, after: SHA_B, kind: 'updated' }],
    });
    await cached.markDeployed('app', 'main', SHA_B);
    expect((await cached.getHeads('api')).heads[0]?.sha).toBe(SHA_A);
    expect(reads()).toBe(2);
    const app = (await cached.getHeads('app')).heads[0];
    expect([app?.sha, app?.deployedSha]).toEqual([SHA_B, SHA_B]);
    expect(reads()).toBe(3);
  });

  it('reads the repositories not in memory with one bulk read, then serves them from memory', async () => {
    const { store, reads } = countingStore();
    const bulk: string[][] = [];
    const getHeadsMany = store.getHeadsMany!.bind(store);
    store.getHeadsMany = (repositories) => {
      bulk.push([...repositories]);
      return getHeadsMany(repositories);
    };
    const cached = withHeadCache(store);
    await cached.recordDetection({
      repositories: ['app', 'api'],
      changes: [
        { repository: 'app', branch: 'main', before: null, after: SHA_A, kind: 'baseline' },
        { repository: 'api', branch: 'main', before: null, after: SHA_B, kind: 'baseline' },
      ],
    });
    await cached.getHeads('app');
    const many = await cached.getHeadsMany!(['app', 'api', 'new']);
    // Only what was not in memory went to the store, in one call.
    expect(bulk).toEqual([['api', 'new']]);
    expect([...many].map(([name, found]) => [name, found.heads.map((head) => head.sha)])).toEqual([
      ['app', [SHA_A]],
      ['api', [SHA_B]],
      ['new', []],
    ]);
    const readsBefore = reads();
    await cached.getHeads('api');
    await cached.getHeads('new');
    await cached.getHeadsMany!(['app', 'api', 'new']);
    expect(reads()).toBe(readsBefore);
    expect(bulk).toHaveLength(1);
  });

  it('does not keep a bulk read that a write overtook', async () => {
    const { store } = countingStore();
    await store.recordDetection(baseline(SHA_A));
    const getHeadsMany = store.getHeadsMany!.bind(store);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    store.getHeadsMany = async (repositories) => {
      const read = await getHeadsMany(repositories);
      await gate;
      return read;
    };
    const cached = withHeadCache(store);
    const slow = cached.getHeadsMany!(['app']);
    await cached.recordDetection({
      repositories: [],
      changes: [{ repository: 'app', branch: 'main', before: SHA_A, after: SHA_B, kind: 'updated' }],
    });
    release();
    expect((await slow).get('app')?.heads[0]?.sha).toBe(SHA_A);
    expect((await cached.getHeads('app')).heads[0]?.sha).toBe(SHA_B);
  });

  it('reads one by one through a store without a bulk read', async () => {
    const { store, reads } = countingStore();
    delete (store as { getHeadsMany?: unknown }).getHeadsMany;
    const cached = withHeadCache(store);
    await cached.recordDetection(baseline(SHA_A));
    const many = await cached.getHeadsMany!(['app', 'other']);
    expect(many.get('app')?.heads.map((head) => head.sha)).toEqual([SHA_A]);
    expect(many.get('other')).toEqual({ seen: false, heads: [] });
    expect(reads()).toBe(2);
    await cached.getHeads('app');
    expect(reads()).toBe(2);
  });

  it('keeps the heads across run and job patches, and drops them all on a recovery', async () => {
    const { store, reads } = countingStore();
    const cached = withHeadCache(store);
    await cached.recordDetection({
      ...baseline(SHA_A),
      run: {
        id: 'run-1',
        unit: 'repository:app',
        trigger: 'poll',
        jobs: [{ id: 'job-1', repository: 'app', branch: 'main', sha: SHA_A, previousSha: null }],
        createdAt: new Date().toISOString(),
      },
    });
    await cached.getHeads('app');
    await cached.updateRun('run-1', { status: 'running' });
    await cached.updateJob('job-1', { status: 'running' });
    await cached.getHeads('app');
    expect(reads()).toBe(1);
    await cached.recoverInterrupted();
    await cached.getHeads('app');
    expect(reads()).toBe(2);
  });

  it('keeps the heads across poll-health writes', async () => {
    const { store, reads } = countingStore();
    const cached = withHeadCache(store);
    await cached.recordDetection(baseline(SHA_A));
    await cached.getHeads('app');
    await cached.recordPollFailure('app', { error: 'boom', at: new Date().toISOString() });
    await cached.clearPollFailures('app');
    await cached.getHeads('app');
    expect(reads()).toBe(1);
  });
});

describe('createPollDeadlines', () => {
  /** A clock the test moves, in milliseconds. */
  function clock() {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it.each([
    // 30 s: a slot is 1/32 of it, 937.5 ms.
    { timeoutMs: 30_000, lastInSlotMs: 937 },
    // A long timeout: the slot stops at 1 s.
    { timeoutMs: 600_000, lastInSlotMs: 999 },
  ])(
    'gives the polls that start within one slot one signal, the next slot a new one (timeout $timeoutMs ms)',
    ({ timeoutMs, lastInSlotMs }) => {
      const time = clock();
      const deadlines = createPollDeadlines(new AbortController().signal, timeoutMs, time.now);
      const first = deadlines.start();
      time.advance(lastInSlotMs);
      const second = deadlines.start();
      time.advance(1);
      const third = deadlines.start();
      expect(second.signal).toBe(first.signal);
      expect(third.signal).not.toBe(first.signal);
      for (const deadline of [first, second, third]) deadline.dispose();
    },
  );

  it('lets go of a slot once its polls are done and a newer slot exists', () => {
    const stop = new AbortController();
    const time = clock();
    const deadlines = createPollDeadlines(stop.signal, 30_000, time.now);
    const early = deadlines.start();
    const late = deadlines.start();
    // Disposing twice counts once: the slot still has `late`.
    early.dispose();
    early.dispose();
    time.advance(1000);
    deadlines.start().dispose();
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(2);
    late.dispose();
    // Only the current slot listens, kept for the polls still to start in it.
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    for (let i = 0; i < 1000; i += 1) {
      time.advance(1000);
      deadlines.start().dispose();
    }
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
  });

  it('aborts with the stop reason, and says it did not time out', () => {
    const stop = new AbortController();
    const poll = createPollDeadlines(stop.signal, 30_000).start();
    stop.abort(new Error('stopping'));
    expect(poll.signal.aborted).toBe(true);
    expect((poll.signal.reason as Error).message).toBe('stopping');
    expect(poll.timedOut()).toBe(false);
    poll.dispose();
  });

  it('times out the timeout after its slot began, with a TimeoutError; later polls get a live signal', async () => {
    const deadlines = createPollDeadlines(new AbortController().signal, 5);
    const poll = deadlines.start();
    await new Promise((resolve) => poll.signal.addEventListener('abort', resolve));
    expect(poll.timedOut()).toBe(true);
    expect((poll.signal.reason as DOMException).name).toBe('TimeoutError');
    const next = deadlines.start();
    expect(next.signal.aborted).toBe(false);
    poll.dispose();
    next.dispose();
  });

  it('lets every request of a slot listen without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const poll = createPollDeadlines(new AbortController().signal, 30_000).start();
      const listeners = Array.from({ length: 40 }, () => () => {});
      for (const listener of listeners) poll.signal.addEventListener('abort', listener);
      await new Promise((resolve) => setImmediate(resolve));
      for (const listener of listeners) poll.signal.removeEventListener('abort', listener);
      poll.dispose();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

describe('deadlineSignal', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('creates no AbortSignal.timeout or AbortSignal.any (their cost per poll and per request)', () => {
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    const any = vi.spyOn(AbortSignal, 'any');
    const stop = new AbortController();
    createPollDeadlines(stop.signal, 30_000).start().dispose();
    deadlineSignal(stop.signal, 30_000).dispose();
    expect(timeout).not.toHaveBeenCalled();
    expect(any).not.toHaveBeenCalled();
  });

  it('is aborted at once when its parent already is', () => {
    const parent = AbortSignal.abort(new Error('gone'));
    const deadline = deadlineSignal(parent, 30_000);
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe('gone');
    expect(deadline.timedOut()).toBe(false);
    expect(getEventListeners(parent, 'abort')).toHaveLength(0);
  });

  it("uses its parent's signal when the parent ends first (no AbortSignal, listener or timer of its own)", async () => {
    const stop = new AbortController();
    const poll = deadlineSignal(stop.signal, 20);
    const request = deadlineSignal(poll.signal, 30_000);
    expect(request.signal).toBe(poll.signal);
    expect(getEventListeners(poll.signal, 'abort')).toHaveLength(0);
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
    expect((request.signal.reason as DOMException).name).toBe('TimeoutError');
    // The time that ran out was the poll's.
    expect(poll.timedOut()).toBe(true);
    expect(request.timedOut()).toBe(false);
    request.dispose();
    poll.dispose();
  });

  it('gets a signal of its own when it ends before its parent, and times out alone', async () => {
    const poll = deadlineSignal(undefined, 30_000);
    const request = deadlineSignal(poll.signal, 5);
    expect(request.signal).not.toBe(poll.signal);
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
    expect(request.timedOut()).toBe(true);
    expect(poll.signal.aborted).toBe(false);
    poll.dispose();
  });

  it('works without a parent, and a disposed one never fires', async () => {
    const disposed = deadlineSignal(undefined, 1);
    disposed.dispose();
    const running = deadlineSignal(undefined, 5);
    await new Promise((resolve) => running.signal.addEventListener('abort', resolve));
    expect(running.timedOut()).toBe(true);
    expect(disposed.signal.aborted).toBe(false);
  });

  it('runs on the real clock, as AbortSignal.timeout does: a fake clock neither fires nor holds it', async () => {
    vi.useFakeTimers();
    const deadline = deadlineSignal(undefined, 20);
    vi.advanceTimersByTime(60_000);
    expect(deadline.signal.aborted).toBe(false);
    vi.useRealTimers();
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });
});
