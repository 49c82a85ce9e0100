import type { RepositoryHeads, StateStore } from '../interfaces/state-store.js';

/**
 * Methods that leave the stored heads as they are: reads, and the poll-health writes (a repository
 * failing every cycle must not empty the cache each time). Every other method may write heads.
 */
const LEAVE_HEADS = new Set<PropertyKey>([
  'getPollHealth',
  'recordPollFailure',
  'clearPollFailures',
  'getRun',
  'listRuns',
  'nextQueuedRun',
  'acquireEngineLock',
  'close',
]);

/**
 * The store, with each repository's heads kept in memory after the first read, so an unchanged
 * poll reads nothing from the store: only the request and a comparison in memory (issue 11). In
 * the bench profile of unchanged cycles the two SQLite reads of `getHeads` were 3 % of a poll's
 * CPU, their rows an allocation per poll.
 *
 * Only this engine writes its store (it holds the engine lock), and it writes through the
 * returned object, so the cache drops everything on any call that is not a known read: writes
 * are rare (a change, a deploy, a failed poll), and heads read again after one are current by
 * construction. A read that was under way while a write happened is not kept (a generation count),
 * so a cached entry is never older than the last write. Callers must not modify what `getHeads`
 * returns (the engine never does).
 */
export function withHeadCache(store: StateStore): StateStore {
  const heads = new Map<string, RepositoryHeads>();
  let generation = 0;

  async function getHeads(repository: string): Promise<RepositoryHeads> {
    const cached = heads.get(repository);
    if (cached) return cached;
    const before = generation;
    const read = await store.getHeads(repository);
    if (generation === before) heads.set(repository, read);
    return read;
  }

  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'getHeads') return getHeads;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (LEAVE_HEADS.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        generation += 1;
        heads.clear();
        try {
          return await (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          // A read that started during the write must not be kept either.
          generation += 1;
          heads.clear();
        }
      };
    },
  });
}
