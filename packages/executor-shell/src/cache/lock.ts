import { tryLockFile } from '@sentry-git/core/internal';

/** A held mirror lock. */
export interface MirrorLock {
  release(): Promise<void>;
}

/**
 * Takes `<mirror>.lock` without waiting, or returns null when someone holds it (core's lock
 * files: written whole, with pid, token and process identity; a dead holder's lock is taken over
 * by one contender). Git's own `*.lock` files guard single ref or index updates, not a fetch plus
 * the checkout that reads its result, so they are not enough on their own.
 */
export function tryLockMirror(mirrorDir: string): Promise<MirrorLock | null> {
  return tryLockFile(`${mirrorDir}.lock`);
}
