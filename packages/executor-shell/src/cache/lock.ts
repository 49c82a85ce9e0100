import { randomUUID } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';

/** A held mirror lock. */
export interface MirrorLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holder(file: string): Promise<{ pid: number; token: string } | null> {
  try {
    const [pid, token] = (await readFile(file, 'utf8')).split('\n');
    return { pid: Number(pid), token: token ?? '' };
  } catch {
    return null;
  }
}

/**
 * Takes `<mirror>.lock` without waiting, or returns null when someone holds it. The file is
 * created with O_EXCL and holds our pid and a token: a lock whose process died (kill -9) is
 * taken over, a live process's lock (this process's too, from another cache instance) is
 * respected. Git's own `*.lock` files guard single ref or index updates, not a fetch plus the
 * checkout that reads its result, so they are not enough on their own.
 */
export async function tryLockMirror(mirrorDir: string): Promise<MirrorLock | null> {
  const file = `${mirrorDir}.lock`;
  const token = randomUUID();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n${token}\n`);
      await handle.close();
      return {
        async release() {
          if ((await holder(file))?.token === token) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await holder(file);
      // A lock file being written right now has no pid yet: busy, not stale.
      if (!current || !Number.isInteger(current.pid) || current.pid <= 0 || alive(current.pid)) return null;
      await rm(file, { force: true });
    }
  }
  return null;
}
