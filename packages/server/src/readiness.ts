import {
  type EventBus,
  errorMessage,
  type SentryConfig,
  type StateStore,
  stateWriteHealth,
} from '@sentry-git/core';

/** A poll cycle older than this many intervals means the poll loop is stuck. */
export const STALE_INTERVALS = 3;
/** A state store that takes longer than this to list one run counts as not answering. */
export const STORE_TIMEOUT_MS = 2000;

/**
 * How often cycles happen: the scheduler polls whatever repository is due, so the shortest
 * effective interval sets the pace (repositories may override the global one).
 */
export function pollIntervalSeconds(config: SentryConfig): number {
  const intervals = config.repositories.map(
    (repo) => repo.monitor.polling_interval ?? config.polling_interval,
  );
  return intervals.length > 0 ? Math.min(...intervals) : config.polling_interval;
}

/**
 * Why the poll loop is not fresh, or undefined when it is. Before the first cycle finishes the
 * server's start counts as the last sign of life, so a starting engine gets the same
 * `STALE_INTERVALS` grace as a running one before it is reported.
 */
export function pollStaleness(input: {
  lastFinishedAt: number | undefined;
  startedAt: number;
  intervalSeconds: number;
  now: number;
}): string | undefined {
  const limitMs = STALE_INTERVALS * input.intervalSeconds * 1000;
  const since = input.lastFinishedAt ?? input.startedAt;
  if (input.now - since <= limitMs) return undefined;
  const limit = `${STALE_INTERVALS} × polling_interval = ${limitMs / 1000} s`;
  if (input.lastFinishedAt === undefined) {
    return `no poll cycle finished yet (${Math.round((input.now - input.startedAt) / 1000)} s since the server started; limit ${limit})`;
  }
  return `the last poll cycle finished ${Math.round((input.now - input.lastFinishedAt) / 1000)} s ago (limit ${limit})`;
}

/** Remembers when the last poll cycle finished, from `poll:finish` events. */
export function trackPollCycles(bus: EventBus): { lastFinishedAt(): number | undefined; detach(): void } {
  let last: number | undefined;
  const detach = bus.on('poll:finish', () => {
    last = Date.now();
  });
  return { lastFinishedAt: () => last, detach };
}

/** Why the state store does not answer a cheap read, or undefined when it does. */
export async function storeProblem(
  store: StateStore,
  timeoutMs = STORE_TIMEOUT_MS,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`the state store did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      store.listRuns({ limit: 1 }).then(
        () => undefined,
        (error: unknown) => `the state store does not answer: ${errorMessage(error)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why the state store cannot record, or undefined while its last write succeeded. A store that
 * answers reads can still be unable to write (disk full, a read-only file): then nothing new is
 * recorded or deployed, so the engine is not ready until a write succeeds again.
 */
export function storeWriteProblem(store: StateStore): string | undefined {
  const health = stateWriteHealth(store);
  if (!health || health.writable) return undefined;
  const count = `${health.failedWrites} failed write${health.failedWrites === 1 ? '' : 's'}`;
  return `the state store cannot write (${count} since ${health.failingSince}; nothing new is recorded or deployed until a write succeeds): ${health.lastError}`;
}
