import { stat } from 'node:fs/promises';
import type { ShellHandle } from './handle.js';
import { followJobOutput } from './job-output.js';
import { groupExists, isSameProcess, signalGroup } from './process-identity.js';
import { readWrapperStatus } from './status-file.js';
import { jobFiles } from './wrapper.js';

/** Longest wait between two checks that the adopted group still lives (the status file wakes it sooner). */
const LIVENESS_POLL_MS = 250;

export type AdoptOutcome =
  /** The commands ended (before or during the adoption) with this exit status. */
  | { kind: 'finished'; exitCode: number }
  /** `signal` aborted: the group was killed (SIGTERM, then SIGKILL after the grace period). */
  | { kind: 'aborted' }
  /** Nothing to adopt: the directory is gone, or the group ended without a status (killed). */
  | { kind: 'gone'; why: string };

export interface AdoptOptions {
  signal: AbortSignal;
  killGraceMs: number;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the job's group still runs: its leader (the wrapper) with the recorded start time, or,
 * once the leader's pid is free, members of its group (a pid is not handed out again while a
 * group of that id exists). A pid reused by another process does not count.
 */
async function groupAlive(handle: ShellHandle): Promise<boolean> {
  if (await isSameProcess(handle.pgid, handle.startTime)) return true;
  return !pidExists(handle.pgid) && groupExists(handle.pgid);
}

/**
 * Follows a job an earlier engine started (handle.ts) to its end, without being its parent: it
 * reads the output files from their start, and waits for the status file the wrapper writes
 * (fs.watch wakes it) while checking every LIVENESS_POLL_MS that the group still lives.
 */
export async function adoptJob(handle: ShellHandle, options: AdoptOptions): Promise<AdoptOutcome> {
  const exists = await stat(handle.dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!exists) return { kind: 'gone', why: `its job directory ${handle.dir} is gone` };
  let wake: (() => void) | undefined;
  const output = followJobOutput(jobFiles(handle.dir), options.onOutput, () => wake?.());
  const { signal } = options;
  try {
    for (;;) {
      const status = await readWrapperStatus(handle.dir);
      if (status) {
        return status.started
          ? { kind: 'finished', exitCode: status.exitCode }
          : { kind: 'gone', why: 'its commands never started (the engine died before recording it)' };
      }
      if (!(await groupAlive(handle))) {
        // The status may have been written between the two checks.
        const late = await readWrapperStatus(handle.dir);
        if (late?.started) return { kind: 'finished', exitCode: late.exitCode };
        return { kind: 'gone', why: `its process group ${handle.pgid} ended without an exit status` };
      }
      if (signal.aborted) {
        await killAdopted(handle, options.killGraceMs);
        return { kind: 'aborted' };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, LIVENESS_POLL_MS);
        signal.addEventListener('abort', done, { once: true });
        wake = done;
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        }
      });
    }
  } finally {
    await output.stop();
  }
}

/** SIGTERM to the group, SIGKILL after the grace period; returns once it is gone. */
async function killAdopted(handle: ShellHandle, killGraceMs: number): Promise<void> {
  signalGroup(handle.pgid, 'SIGTERM');
  const killAt = Date.now() + killGraceMs;
  let killed = false;
  while (await groupAlive(handle)) {
    if (!killed && Date.now() >= killAt) {
      signalGroup(handle.pgid, 'SIGKILL');
      killed = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  signalGroup(handle.pgid, 'SIGKILL');
}
