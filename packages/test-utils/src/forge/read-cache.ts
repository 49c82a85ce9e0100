/**
 * An opt-in memo of what a fake forge reads from its bare repositories (the branch list, per
 * bare directory), for load tests where thousands of requests per second would otherwise each
 * start a `git` process and make the fake, not the client, the bottleneck. Whoever moves a ref
 * calls `invalidate(bare)` right after, so an answer is never staler than the repository.
 * Without one (the default), every request reads the repository afresh.
 */
export interface ForgeReadCache {
  /** The value cached for this bare repository under `kind`, read once with `read`. */
  memo<T>(bare: string, kind: string, read: () => Promise<T>): Promise<T>;
  /** A value that depends only on immutable objects (named by SHAs): kept across `invalidate`. */
  memoImmutable<T>(bare: string, key: string, read: () => Promise<T>): Promise<T>;
  /**
   * Data of one object by its SHA, read from whichever repository asks first: objects are
   * content-addressed, so repositories that share them (alternates) share this too.
   */
  memoObject<T>(key: string, read: () => Promise<T>): Promise<T>;
  /** Forget what was read from one bare repository (after a ref moved), or from all. */
  invalidate(bare?: string): void;
}

export function createForgeReadCache(): ForgeReadCache {
  const byBare = new Map<string, Map<string, Promise<unknown>>>();
  const immutable = new Map<string, Map<string, Promise<unknown>>>();

  function remember<T>(
    store: Map<string, Map<string, Promise<unknown>>>,
    bare: string,
    key: string,
    read: () => Promise<T>,
  ): Promise<T> {
    let keys = store.get(bare);
    if (!keys) {
      keys = new Map();
      store.set(bare, keys);
    }
    const cached = keys.get(key);
    if (cached) return cached as Promise<T>;
    const reading = read();
    keys.set(key, reading);
    // A failed read is not remembered: the next request tries again.
    reading.catch(() => {
      if (store.get(bare)?.get(key) === reading) store.get(bare)?.delete(key);
    });
    return reading;
  }

  return {
    memo: (bare, kind, read) => remember(byBare, bare, kind, read),
    memoImmutable: (bare, key, read) => remember(immutable, bare, key, read),
    memoObject: (key, read) => remember(immutable, '', key, read),
    invalidate(bare?: string): void {
      if (bare === undefined) byBare.clear();
      else byBare.delete(bare);
    },
  };
}

/** `read(bare)` through the cache when there is one, else straight from the repository. */
export function readThrough<T>(
  cache: ForgeReadCache | undefined,
  kind: string,
  read: (bare: string) => Promise<T>,
): (bare: string) => Promise<T> {
  return cache ? (bare) => cache.memo(bare, kind, () => read(bare)) : read;
}
