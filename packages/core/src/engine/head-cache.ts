import type { DetectionInput, RepositoryHeads, StateStore } from '../interfaces/state-store.js';

/**
 * Methods that leave the stored heads as they are: reads, the poll-health writes (a repository
 * failing every cycle must not empty the cache each time), and the run and job patches (the
 * StateStore contract: heads change through `recordDetection` and `markDeployed` only).
 */
const LEAVE_HEADS = new Set<PropertyKey>([
  'getPollHealth',
  'recordPollFailure',
  'clearPollFailures',
  'getRun',
  'listRuns',
  'nextQueuedRun',
  'updateRun',
  'updateJob',
  'acquireEngineLock',
  // A read that hands out an async iterable: wrapped in the async function below, it would not be one.
  'exportState',
  'close',
]);

/** The repositories whose heads a write changes, or 'all' when the method does not say. */
function touched(property: PropertyKey, args: readonly unknown[]): Iterable<string> | 'all' {
  if (property === 'markDeployed' && typeof args[0] === 'string') return [args[0]];
  if (property === 'recordDetection') {
    const input = args[0] as Partial<DetectionInput> | undefined;
    if (!Array.isArray(input?.repositories) || !Array.isArray(input?.changes)) return 'all';
    return new Set([...input.repositories, ...input.changes.map((change) => change.repository)]);
  }
  return 'all';
}

/**
 * The store, with each repository's heads kept in memory after the first read, so an unchanged
 * poll reads nothing from the store: only the request and a comparison in memory (issue 11). In
 * the bench profile of unchanged cycles the two SQLite reads of `getHeads` were 3 % of a poll's
 * CPU, their rows an allocation per poll.
 *
 * Only this engine writes its store (it holds the engine lock), and it writes through the
 * returned object; on a shared store, only the repositories `owned` says (the ones this replica
 * polls) are served from memory, and a replica that gains one forgets it first. `getHeadsMany` reads only the repositories not in memory, in one call to the
 * store's own bulk read when it has one (the poll cycle asks it at its start: after a start or
 * a baseline, 5,000 single reads cost 50 to 70 µs each in the bench profiles), and keeps them.
 * A detection or a deploy drops the heads of the repositories it names; any
 * other call that is not a known read drops everything (a recovery, a method a store adds).
 * Dropping everything on every write made each repository's next poll read the store again
 * after any change or deploy anywhere, so a busy installation read every repository's heads
 * every cycle. Heads read again after a write are current by construction. A read that was under
 * way while a write happened is not kept (a generation count), so a cached entry is never older
 * than the last write. Callers must not modify what `getHeads` returns (the engine never does).
 */
const FORGET = Symbol('sentry-git.forgetCachedHeads');

/**
 * Drops what the cache holds of `repositories`, when someone else may have written them: a
 * replica that takes over a repository's polls reads its heads from the store again (another
 * replica recorded them meanwhile). A store without the cache is left alone.
 */
export function forgetCachedHeads(store: StateStore, repositories: Iterable<string>): void {
  const forget = (store as unknown as Record<symbol, ((repositories: Iterable<string>) => void) | undefined>)[
    FORGET
  ];
  forget?.(repositories);
}

export function withHeadCache(
  store: StateStore,
  options: {
    /**
     * Whether only this engine writes the repository's heads, so that they may be served from
     * memory: on a shared store, the repositories this replica polls. @default always
     */
    owned?: (repository: string) => boolean;
  } = {},
): StateStore {
  const owned = options.owned ?? (() => true);
  const heads = new Map<string, RepositoryHeads>();
  let generation = 0;

  async function getHeads(repository: string): Promise<RepositoryHeads> {
    const cached = owned(repository) ? heads.get(repository) : undefined;
    if (cached) return cached;
    const before = generation;
    const read = await store.getHeads(repository);
    if (generation === before) heads.set(repository, read);
    return read;
  }

  /** The store's own bulk read when it has one, else `getHeads` per repository. */
  async function readMany(repositories: readonly string[]): Promise<Map<string, RepositoryHeads>> {
    if (store.getHeadsMany) return store.getHeadsMany(repositories);
    const many = new Map<string, RepositoryHeads>();
    for (const repository of repositories) many.set(repository, await store.getHeads(repository));
    return many;
  }

  /** Reads only what is not in memory, in one call, and keeps it (unless a write overtook it). */
  async function getHeadsMany(repositories: readonly string[]): Promise<Map<string, RepositoryHeads>> {
    const missing = repositories.filter((repository) => !owned(repository) || !heads.has(repository));
    const before = generation;
    const read = missing.length > 0 ? await readMany(missing) : new Map<string, RepositoryHeads>();
    if (generation === before) for (const [repository, found] of read) heads.set(repository, found);
    const many = new Map<string, RepositoryHeads>();
    for (const repository of repositories) {
      const found = read.get(repository) ?? (owned(repository) ? heads.get(repository) : undefined);
      if (found) many.set(repository, found);
    }
    // Dropped by a write meanwhile: read again, one by one, as getHeads would.
    for (const repository of repositories)
      if (!many.has(repository)) many.set(repository, await getHeads(repository));
    return many;
  }

  function forget(repositories: Iterable<string> | 'all'): void {
    generation += 1;
    if (repositories === 'all') heads.clear();
    else for (const repository of repositories) heads.delete(repository);
  }

  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'getHeads') return getHeads;
      if (property === 'getHeadsMany') return getHeadsMany;
      if (property === FORGET) return forget;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (LEAVE_HEADS.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        const repositories = touched(property, args);
        forget(repositories);
        try {
          return await (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          // A read that started during the write must not be kept either.
          forget(repositories);
        }
      };
    },
  });
}
