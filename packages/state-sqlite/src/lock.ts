import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import {
  engineLockedError,
  lockFileText,
  lockHolderAlive,
  readLockFileSync,
  SentryError,
} from '@sentry-git/core';

/**
 * One engine per state file: recovery re-queues "running" runs, which is only right when the
 * engine that ran them is gone. The lock file holds the holder's pid, a token and the process's
 * identity (core's lock-file helpers): a lock whose process is gone (a crash, or a container
 * restart that gave the new process the old pid) is taken over; a live process's lock, even
 * this process's own from another engine, is respected. After the identity come the owner and
 * when it took the lock, so a refusal can name both.
 */
export function acquireFileLock(stateFile: string, owner: string): { release(): void } {
  const file = `${stateFile}.lock`;
  const token = randomUUID();
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, lockFileText(token, [owner, new Date().toISOString()]));
      closeSync(fd);
      return {
        release() {
          if (readLockFileSync(file)?.token === token) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLockFileSync(file);
      if (holder && lockHolderAlive(holder)) {
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
      // The holder died without releasing (kill -9, power loss): its lock is stale.
      rmSync(file, { force: true });
    }
  }
  throw new SentryError('ENGINE_LOCKED', `Could not lock ${stateFile}.`, {
    fix: `Remove ${file} if no sentry-git process is running.`,
  });
}
