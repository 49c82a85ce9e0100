import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * When a process started, as a string that differs for a later process reusing its pid:
 * field 22 of /proc/<pid>/stat (clock ticks since boot) on Linux, `ps -o lstart=` elsewhere.
 * null when the process is gone (or a zombie: it has exited, only its parent has to reap it).
 */
export async function processStartTime(pid: number): Promise<string | null> {
  if (process.platform !== 'linux') return psStartTime(pid);
  // procfs is generated in memory: a synchronous read costs less than a thread-pool round trip.
  const stat = readProcStat(pid);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return null;
  return fields[22 - 3] ?? null;
}

function readProcStat(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
}

async function psStartTime(pid: number): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'lstart=,stat=', '-p', String(pid)]);
    const line = stdout.trim();
    if (!line || / Z\S*$/.test(line)) return null;
    return line.replace(/\s+\S+$/, '');
  } catch {
    return null;
  }
}

/** Whether `pid` is still the process that started at `startTime` (not a later one with its pid). */
export async function isSameProcess(pid: number, startTime: string): Promise<boolean> {
  return (await processStartTime(pid)) === startTime;
}

/** Whether any process of group `pgid` is left. */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
