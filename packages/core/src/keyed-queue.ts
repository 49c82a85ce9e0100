/**
 * Work one at a time per key, keys side by side: the engine records one unit at a time, the
 * git provider runs one operation per mirror, the shell executor one fetch per QA mirror. A
 * key's entry is dropped once its queue is empty.
 */
export interface KeyedQueue {
  /** Runs `work` after the work queued before it on `key`; a failure does not stop the queue. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /**
   * The same, except that when `signal` aborts while waiting its turn it resolves with
   * `aborted()` at once, and the queue goes on without it (the next in line still waits for the
   * one holding the key).
   */
  runUnlessAborted<T>(key: string, signal: AbortSignal, work: () => Promise<T>, aborted: () => T): Promise<T>;
  /** True while work queued on `key` runs or waits its turn: only then must newcomers queue to keep order. */
  busy(key: string): boolean;
}

/** Resolves true when the previous holder finishes, false when the signal aborts first. */
function waitTurn(previous: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<void>>();
  /** Work queued per key that has not finished yet. */
  const pending = new Map<string, number>();

  async function enqueue<T>(
    key: string,
    work: () => Promise<T>,
    leave?: { signal: AbortSignal; aborted: () => T },
  ): Promise<T> {
    pending.set(key, (pending.get(key) ?? 0) + 1);
    const previous = tails.get(key) ?? Promise.resolve();
    let done = () => {};
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    // The next in line waits for both: a waiter that leaves must not let it overtake the holder.
    const tail = previous.then(() => mine);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    try {
      if (leave && !(await waitTurn(previous, leave.signal))) return leave.aborted();
      if (!leave) await previous;
      return await work();
    } finally {
      const left = pending.get(key)! - 1;
      if (left === 0) pending.delete(key);
      else pending.set(key, left);
      done();
    }
  }

  return {
    run: (key, work) => enqueue(key, work),
    runUnlessAborted: (key, signal, work, aborted) => enqueue(key, work, { signal, aborted }),
    busy: (key) => pending.has(key),
  };
}
