import { existsSync, readFileSync } from 'node:fs';

/**
 * Whether a process still runs. A zombie does not count: it has exited, and reaping it is its
 * parent's job (PID 1 for orphans, which in some containers never reaps).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc/self/stat')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
