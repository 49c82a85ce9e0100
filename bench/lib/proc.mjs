// Another process's CPU time and memory, read from /proc (Linux): what the CLI scenarios measure
// of `sentry-git watch` without touching the process itself.
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of `pid` so far, in milliseconds (10 ms resolution). */
export async function cpuMsOf(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Resident set size now and its peak (VmHWM), in bytes. */
export async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssBytes: kib('VmRSS') * 1024, peakRssBytes: kib('VmHWM') * 1024 };
}

/** The 1-minute load average, rounded: the bench records it beside every CPU figure. */
export async function loadAverage() {
  const text = await readFile('/proc/loadavg', 'utf8').catch(() => '');
  const value = Number(text.split(' ')[0]);
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : null;
}
