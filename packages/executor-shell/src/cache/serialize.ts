/** Runs work one at a time per key (here: per mirror, within one cache instance). */
export interface Serializer {
  /**
   * Runs `work` after the work queued before it on `key`. When `signal` aborts while waiting,
   * resolves with `aborted()` at once and lets the queue go on without it.
   */
  run<T>(key: string, signal: AbortSignal, work: () => Promise<T>, aborted: () => T): Promise<T>;
}

/** Resolves when the previous holder finishes or the signal aborts, whichever is first. */
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

export function serializer(): Serializer {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, signal, work, aborted) {
      const previous = tails.get(key) ?? Promise.resolve();
      let done = () => {};
      const mine = new Promise<void>((resolve) => {
        done = resolve;
      });
      // The next job waits for both: an aborted waiter must not let it overtake the holder.
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      try {
        if (!(await waitTurn(previous, signal))) return aborted();
        return await work();
      } finally {
        done();
      }
    },
  };
}
