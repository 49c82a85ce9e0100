import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { engineLockedError, SentryError } from '@sentry-git/core';
import { takeLockFile } from '@sentry-git/core/internal';

/**
 * One engine per state file: recovery re-queues "running" runs, which is only right when the
 * engine that ran them is gone. core's lock files (the one implementation every lock of
 * sentry-git uses: written whole, a dead holder's lock taken over by one contender only) hold
 * the holder's pid, a token and the process's identity; after them come the owner and when it
 * took the lock, so a refusal can name both.
 */
export function acquireFileLock(stateFile: string, owner: string): { release(): void } {
  const file = `${stateFile}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  const attempt = takeLockFile(file, [owner, new Date().toISOString()]);
  if (attempt.acquired) return attempt.lock;
  const { holder } = attempt;
  if (!holder) {
    throw new SentryError('ENGINE_LOCKED', `Could not lock ${stateFile}: ${file} names no live process.`, {
      fix: `Try again; remove ${file} only if no sentry-git process is running.`,
    });
  }
  const [holderOwner = '', since = ''] = holder.extra;
  throw engineLockedError({
    resource: stateFile,
    holder: {
      pid: holder.pid,
      owner: holderOwner,
      // Lock files of earlier versions end with the owner.
      since: Number.isNaN(Date.parse(since)) ? null : since,
      sameProcess: holder.pid === process.pid,
    },
  });
}
