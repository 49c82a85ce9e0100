import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { errorMessage } from '@sentry-git/core';
import { followJobOutput } from './job-output.js';
import { groupExists, processStartTime, signalGroup } from './process-identity.js';
import { readWrapperStatus } from './status-file.js';
import { buildWrapper, NOT_STARTED_EXIT, type WrapperPaths } from './wrapper.js';

/** How often a group whose leader exited after SIGTERM is checked for members left. */
const GROUP_POLL_MS = 50;

export interface JobProcessOptions {
  paths: WrapperPaths & { wrapper: string };
  /** bash (or a shell that accepts bash's options), which runs the commands script. */
  shell: string;
  cwd: string;
  /** The complete environment (process.env is not added). */
  env: Record<string, string | undefined>;
  /** Aborting it kills the whole process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  killGraceMs: number;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  /**
   * Records the group (pgid and start time) before the commands start: they start once it
   * resolves. A rejection stops the job before its commands ran.
   */
  onStarted(identity: { pgid: number; startTime: string }): Promise<void>;
}

export interface JobProcessResult {
  /** The commands' exit status; null when a signal ended the wrapper or it never started them. */
  exitCode: number | null;
  signal: string | null;
  aborted: boolean;
  /** Why the wrapper or the commands could not be started, else null. */
  spawnError: string | null;
  /** Why `onStarted` failed (the commands did not start), else null. */
  recordError?: string;
}

function waitForSpawn(child: ReturnType<typeof spawn>): Promise<Error | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
}

/**
 * Runs a job's commands through the wrapper (wrapper.ts) as the leader of a new process group
 * whose output goes to files, and returns once the group is gone. Like runInProcessGroup, no
 * member outlives the call while this process lives: background children are SIGKILLed when
 * the commands end, and an abort sends SIGTERM, then SIGKILL after `killGraceMs`. Unlike it,
 * the group survives this process's death (kill -9) and finishes on its own, leaving its output
 * and exit status in the job directory for the engine that adopts it (adopt.ts).
 */
export async function runJobProcess(options: JobProcessOptions): Promise<JobProcessResult> {
  const { paths, signal, killGraceMs } = options;
  // Synchronous, like the job directory (createJobDir in executor-kit says why): a few
  // microseconds of local file calls instead of a thread-pool round trip each.
  writeFileSync(paths.wrapper, buildWrapper(paths, options.shell), { mode: 0o700 });
  const stdout = openSync(paths.stdout, 'a');
  let stderr: number | undefined;
  let child: ReturnType<typeof spawn>;
  let spawned: Promise<Error | null>;
  try {
    stderr = openSync(paths.stderr, 'a');
    child = spawn('/bin/sh', [paths.wrapper], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', stdout, stderr],
    });
    spawned = waitForSpawn(child);
  } finally {
    // The child holds its own copies; ours would keep the files open for nothing.
    closeSync(stdout);
    if (stderr !== undefined) closeSync(stderr);
  }
  const spawnError = await spawned;
  const pgid = child.pid;
  if (spawnError || pgid === undefined) {
    return { exitCode: null, signal: null, aborted: false, spawnError: errorMessage(spawnError) };
  }
  // The pipe only carries "go"; the wrapper may be gone when it is written.
  child.stdin?.on('error', () => {});
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
  );
  let exited = false;
  let aborted = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let graceOver = false;
  void exit.then(() => {
    exited = true;
  });
  function onAbort(): void {
    if (exited || aborted) return;
    aborted = true;
    signalGroup(pgid!, 'SIGTERM');
    graceTimer = setTimeout(() => {
      graceOver = true;
      signalGroup(pgid!, 'SIGKILL');
    }, killGraceMs);
  }
  const output = followJobOutput(paths, options.onOutput);
  try {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let recordError: string | null = null;
    if (!aborted) {
      try {
        const startTime = (await processStartTime(pgid)) ?? '';
        await options.onStarted({ pgid, startTime });
      } catch (error) {
        recordError = errorMessage(error);
      }
    }
    // No "go" (closing the pipe) tells the wrapper to exit without running the commands.
    child.stdin?.end(aborted || recordError !== null ? '' : 'go\n');
    const ended = await exit;
    if (aborted) {
      // The grace period runs on: children that handle SIGTERM may still be cleaning up.
      while (groupExists(pgid) && !graceOver) {
        await new Promise((resolve) => setTimeout(resolve, GROUP_POLL_MS));
      }
    }
    signalGroup(pgid, 'SIGKILL');
    if (recordError !== null) return { exitCode: null, signal: null, aborted, spawnError: null, recordError };
    const status = await readWrapperStatus(paths.jobDir);
    if (status?.started) return { exitCode: status.exitCode, signal: null, aborted, spawnError: null };
    if (ended.code === NOT_STARTED_EXIT && status && !status.started)
      return { exitCode: null, signal: null, aborted, spawnError: 'the commands were not started' };
    return { exitCode: ended.code, signal: ended.signal, aborted, spawnError: null };
  } finally {
    signal.removeEventListener('abort', onAbort);
    clearTimeout(graceTimer);
    // Whatever survived detached from the group (e.g. `setsid cmd &`) is not ours to find.
    signalGroup(pgid, 'SIGKILL');
    await output.stop();
  }
}
