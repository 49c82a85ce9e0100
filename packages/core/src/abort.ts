import { timerDelay } from './timer-delay.js';
import type { JobOutcome, JobResult } from './types.js';

/** The abort reason the engine uses on SIGINT/SIGTERM once the grace period is over. */
export class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
  constructor(message = 'sentry-git is shutting down') {
    super(message);
  }
}

/**
 * The abort reason of a run someone cancelled (`Sentry.cancel`): its jobs end `cancelled` and,
 * unlike after a shutdown, nothing of it is queued again. The message says who asked and why
 * (`cancelled by <by>[: <reason>]`), as the run's and its jobs' error.
 */
export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError';
}

/** The abort reason for a job or group that ran out of time. */
export function timeoutError(message: string): DOMException {
  return new DOMException(message, 'TimeoutError');
}

/**
 * A signal chained to `parent` that also aborts with `timeoutError(message)` after `timeoutMs`.
 * `clear()` stops the timer and unhooks `parent` once the work is done.
 */
export function signalWithDeadline(
  parent: AbortSignal,
  timeoutMs: number,
  message: string,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutError(message)), timerDelay(timeoutMs));
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

/** Whether an abort came from someone cancelling the run (see RunCancelledError). */
export function isCancelReason(reason: unknown): boolean {
  return reason instanceof RunCancelledError;
}

export function isTimeoutReason(reason: unknown): boolean {
  return (reason instanceof DOMException || reason instanceof Error) && reason.name === 'TimeoutError';
}

/**
 * Whether an abort came from shutdown (the grace period after stop() ran out): the work is
 * queued again at the next start, unlike a cancel someone asked for, which stays cancelled.
 */
export function isShutdownReason(reason: unknown): boolean {
  return reason instanceof ShutdownError;
}

/** The outcome of a job stopped by its signal: `timed_out` for a timeout, else `cancelled`. */
export function outcomeOfAbort(signal: AbortSignal): Extract<JobOutcome, 'timed_out' | 'cancelled'> {
  return isTimeoutReason(signal.reason) ? 'timed_out' : 'cancelled';
}

export function abortMessage(signal: AbortSignal): string {
  const reason = signal.reason;
  if (reason instanceof Error || reason instanceof DOMException) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/** A result for a job that never started. */
export function skippedResult(reason: string, now = new Date()): JobResult {
  const at = now.toISOString();
  return {
    status: 'skipped',
    exitCode: null,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    output: '',
    error: reason,
  };
}

/** Keeps the last `limit` bytes of a growing text (UTF-8), cutting at a character boundary. */
export function createOutputTail(limit: number): { push(text: string): void; toString(): string } {
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    push(text) {
      const buffer = Buffer.from(text, 'utf8');
      chunks.push(buffer);
      size += buffer.length;
      if (size > limit * 2) {
        const all = Buffer.concat(chunks);
        chunks = [all.subarray(all.length - limit)];
        size = limit;
      }
    },
    toString() {
      const all = Buffer.concat(chunks);
      const tail = all.length > limit ? all.subarray(all.length - limit) : all;
      // Drop a partial UTF-8 sequence at the cut.
      let start = 0;
      while (start < tail.length && start < 4 && ((tail[start] ?? 0) & 0xc0) === 0x80) start++;
      return tail.subarray(start).toString('utf8');
    },
  };
}
