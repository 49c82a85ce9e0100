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

/**
 * One engine per state file: recovery re-queues "running" runs, which is only right when the
 * process that ran them is gone. The lock holds the owner's pid; a dead owner's lock is taken over.
 */
export function acquireEngineLock(stateFile: string, purpose: string): () => void {
  const file = `${stateFile}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n${purpose}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText, owner] = readFileSync(file, 'utf8').split('\n');
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new SentryError(
          'ENGINE_LOCKED',
          `Another sentry-git process (pid ${pid}, ${owner || 'unknown command'}) is using ${stateFile}.`,
          {
            fix: 'Stop it first, or point this command at another state file (state.path). `status` and `runs` can run beside it.',
          },
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new SentryError('ENGINE_LOCKED', `Could not lock ${stateFile}.`, {
    fix: `Remove ${file} if no sentry-git process is running.`,
  });
}
