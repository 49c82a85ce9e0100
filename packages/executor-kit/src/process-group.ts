import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

// execa rather than zx: zx runs every command as a `bash -c` string with its own prefix, keeps
// all output in memory (a long deploy's log would grow without bound), echoes stderr to our
// own stderr unless told otherwise, reads ZX_* defaults from the environment, and its kill()
// walks the process tree with `ps` instead of signalling the process group. execa spawns a
// file with arguments, `buffer: false` keeps nothing, `reject: false` turns every end into a
// result, and `detached: true` gives the process group we signal ourselves.

export interface ProcessGroupOptions {
  cwd: string;
  /** The complete environment (process.env is not added). */
  env: Record<string, string | undefined>;
  /** Aborting it kills the whole process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  killGraceMs: number;
  /** Output as it arrives, in chunks decoded as UTF-8. */
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
}

export interface ProcessGroupResult {
  /** null when a signal ended the process or it never started. */
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  signal: string | null;
  /** `signal` was aborted while the process ran, and the group was killed for it. */
  aborted: boolean;
  /** Why the process could not be started, else null. */
  spawnError: string | null;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function forward(
  stream: Readable | null | undefined,
  name: 'stdout' | 'stderr',
  onOutput: ProcessGroupOptions['onOutput'],
): void {
  if (!stream) return;
  const decoder = new StringDecoder('utf8');
  stream.on('data', (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) onOutput(name, text);
  });
  stream.on('end', () => {
    const rest = decoder.end();
    if (rest) onOutput(name, rest);
  });
}

/**
 * Runs `file args` as the leader of a new process group (POSIX only) and returns once it and
 * everything holding its stdout/stderr are gone. No member of the group outlives the call:
 * - when the leader exits on its own, the group is SIGKILLed at once, so background children
 *   (`sleep 1000 &`) are not left behind;
 * - when `signal` aborts, the group gets SIGTERM, and SIGKILL after `killGraceMs` unless every
 *   process holding the output pipes has exited by then; either way a final SIGKILL sweeps the
 *   group before returning.
 */
export async function runInProcessGroup(
  file: string,
  args: readonly string[],
  options: ProcessGroupOptions,
): Promise<ProcessGroupResult> {
  const { signal, killGraceMs } = options;
  // Imported here, not at the top: registering the executor must not load execa (start-up time).
  const { execa } = await import('execa');
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    stripFinalNewline: false,
  });
  const pid = subprocess.pid;
  let exited = false;
  let aborted = false;
  let graceTimer: NodeJS.Timeout | undefined;

  forward(subprocess.stdout, 'stdout', options.onOutput);
  forward(subprocess.stderr, 'stderr', options.onOutput);

  function onAbort(): void {
    if (pid === undefined || exited || aborted) return;
    aborted = true;
    signalGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), killGraceMs);
  }

  subprocess.once('exit', () => {
    exited = true;
    // On abort the grace period runs on: children that handle SIGTERM may still be cleaning up.
    if (pid !== undefined && !aborted) signalGroup(pid, 'SIGKILL');
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  try {
    const result = await subprocess;
    const spawnError =
      pid === undefined
        ? (result.originalMessage ?? result.shortMessage ?? 'could not start the process')
        : null;
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
      signal: result.signal ?? null,
      aborted,
      spawnError,
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
    clearTimeout(graceTimer);
    // Whatever survived detached from our pipes (e.g. `nohup cmd >/dev/null &`).
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }
}
