import type { JobHandle } from '@sentry-git/core';

/** What the shell executor records for a running job: its process group and its directory. */
export interface ShellHandle extends JobHandle {
  executor: 'shell';
  /** The wrapper's pid, which is also the process group's id. */
  pgid: number;
  /** The wrapper's start time (see processStartTime), so a reused pid is not taken for it. */
  startTime: string;
  /** The job directory: wrapper, commands, output files and the status the wrapper writes. */
  dir: string;
}

/** The handle as a ShellHandle, or null when it is not one (another executor's, or damaged). */
export function asShellHandle(handle: JobHandle): ShellHandle | null {
  const { pgid, startTime, dir } = handle as Partial<ShellHandle>;
  if (handle.executor !== 'shell') return null;
  if (typeof pgid !== 'number' || !Number.isInteger(pgid) || pgid <= 1) return null;
  if (typeof startTime !== 'string' || typeof dir !== 'string' || dir === '') return null;
  return { executor: 'shell', pgid, startTime, dir };
}
