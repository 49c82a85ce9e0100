import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SentryError } from '@sentry-git/core';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockContent {
  pid: number;
  token: string;
  owner: string;
}

function read(file: string): LockContent | null {
  try {
    const [pid, token, owner] = readFileSync(file, 'utf8').split('\n');
    return { pid: Number(pid), token: token ?? '', owner: owner ?? '' };
  } catch {
    return null;
  }
}

/**
 * One engine per state file: recovery re-queues "running" runs, which is only right when the
 * engine that ran them is gone. The lock file holds the holder's pid and a token: a lock whose
 * process is dead (a crash) is taken over; a live process's lock, even this process's own from
 * another engine, is respected.
 */
export function acquireFileLock(stateFile: string, owner: string): { release(): void } {
  const file = `${stateFile}.lock`;
  const token = randomUUID();
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n${token}\n${owner}\n`);
      closeSync(fd);
      return {
        release() {
          if (read(file)?.token === token) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = read(file);
      if (holder && Number.isInteger(holder.pid) && holder.pid > 0 && alive(holder.pid)) {
        const who = holder.pid === process.pid ? 'another engine in this process' : `pid ${holder.pid}`;
        throw new SentryError(
          'ENGINE_LOCKED',
          `Another sentry-git process (${who}, ${holder.owner || 'unknown'}) is using ${stateFile}.`,
          {
            fix: 'Stop it first, or use another state file (state.path). `sentry-git status` and `runs` can run beside it.',
            details: { pid: holder.pid, owner: holder.owner },
          },
        );
      }
      // The holder died without releasing (kill -9, power loss): its lock is stale.
      rmSync(file, { force: true });
    }
  }
  throw new SentryError('ENGINE_LOCKED', `Could not lock ${stateFile}.`, {
    fix: `Remove ${file} if no sentry-git process is running.`,
  });
}
