import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempdir } from './gitdir.js';

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A named pipe a deploy command can block on (`read _ < "$GATE"`) until the test opens the gate:
 * the test decides when a job ends without sleeping or polling.
 */
export interface Gate {
  path: string;
  open(): Promise<void>;
}

export async function gate(name = 'gate'): Promise<Gate> {
  const dir = await tempdir('sentry-git-gate-');
  const file = path.join(dir, name);
  await promisify(execFile)('mkfifo', [file]);
  return {
    path: file,
    async open() {
      // Opening for writing blocks until the reader is there, then the reader sees one line.
      const handle = await open(file, 'w');
      await handle.write('go\n');
      await handle.close();
    },
  };
}
