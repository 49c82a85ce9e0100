import { existsSync, readFileSync } from 'node:fs';
import type { ExecutorContext, Logger } from '@sentry-git/core';

export interface OutputEvent {
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

export interface RecordingContext {
  context: ExecutorContext;
  controller: AbortController;
  outputs: OutputEvent[];
  /** Everything written to one stream (or all of them), in order. */
  text(stream?: OutputEvent['stream']): string;
}

function silentLogger(): Logger {
  const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
  return logger;
}

/**
 * A context that records output. `abortWhen` aborts the signal with `reason` the first time the
 * output so far matches it: the test waits on the job's own progress, never on a clock.
 */
export function recordingContext(options: { abortWhen?: RegExp; reason?: unknown } = {}): RecordingContext {
  const controller = new AbortController();
  const outputs: OutputEvent[] = [];
  const text = (stream?: OutputEvent['stream']) =>
    outputs
      .filter((event) => stream === undefined || event.stream === stream)
      .map((event) => event.text)
      .join('');
  const context: ExecutorContext = {
    signal: controller.signal,
    log: silentLogger(),
    output(stream, chunk) {
      outputs.push({ stream, text: chunk });
      if (options.abortWhen && !controller.signal.aborted && options.abortWhen.test(text())) {
        controller.abort(options.reason);
      }
    },
    emit() {},
  };
  return { context, controller, outputs, text };
}

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
