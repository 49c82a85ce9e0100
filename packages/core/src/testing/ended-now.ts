import type { JobResult } from '../types.js';

/**
 * The result of a job that ended the moment it started: zero duration, no output, exit code 0
 * when it succeeded (else none), and `error` as given.
 *
 * @example
 * execute: async () => endedNow('succeeded')
 * execute: async (_job, { signal }) => endedNow(outcomeOfAbort(signal), abortMessage(signal))
 */
export function endedNow(status: JobResult['status'], error: string | null = null): JobResult {
  const at = new Date().toISOString();
  return {
    status,
    exitCode: status === 'succeeded' ? 0 : null,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    output: '',
    error,
  };
}
