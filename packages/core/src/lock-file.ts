import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Who holds a lock file: a pid alone is not enough. In a container the engine has the same pid
 * at every start (often 1), so after a kill -9 or an OOM kill the lock left on the volume names
 * a pid that is alive again — the new process itself. On Linux a process is also named by when
 * it started (ticks since boot, /proc/PID/stat field 22) and the boot it started in; elsewhere
 * the pid is all there is.
 */
export interface LockHolder {
  pid: number;
  /** `<boot id>/<start time>`; empty when the platform has none (or the lock was written by an older version). */
  identity: string;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** A process's start time in clock ticks since boot, or '' when it cannot be read (not Linux, or gone). */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in field 2 may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

/** The identity of a running process (this one by default), as a lock file records it. */
export function processIdentity(pid = process.pid): string {
  const started = startTime(pid);
  return started ? `${bootId()}/${started}` : '';
}

/** Whether the process that wrote a lock still runs: its pid is alive and, where known, it is the same process. */
export function lockHolderAlive(holder: LockHolder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!holder.identity) return true;
  const current = processIdentity(holder.pid);
  // Unreadable now (another platform, /proc hidden): trust the pid as before.
  return current === '' || current === holder.identity;
}

/** The lines of a lock file: pid, token, identity, then whatever the owner adds. */
export function lockFileText(token: string, extra: readonly string[] = []): string {
  return `${[String(process.pid), token, processIdentity(), ...extra].join('\n')}\n`;
}

export interface LockFileContent extends LockHolder {
  token: string;
  extra: string[];
}

const IDENTITY = /^[0-9a-f-]*\/\d+$/;

export function parseLockFile(text: string): LockFileContent {
  const [pid = '', token = '', third = '', ...rest] = text.split('\n');
  // Locks written before identities were recorded have the owner's lines right after the token.
  const [identity, extra] = IDENTITY.test(third) ? [third, rest] : ['', [third, ...rest]];
  return { pid: Number(pid), token, identity, extra: extra.filter(Boolean) };
}

/** Reads a lock file, or null when there is none (or it cannot be read). */
export async function readLockFile(file: string): Promise<LockFileContent | null> {
  try {
    return parseLockFile(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

export function readLockFileSync(file: string): LockFileContent | null {
  try {
    return parseLockFile(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
