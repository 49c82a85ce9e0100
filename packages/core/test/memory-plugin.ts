import type { GitProvider, JobResult } from '../src/index.js';

/** A provider with none of the optional capabilities whose heads come from the test. */
export function memoryProvider(listHeads: GitProvider['listHeads'], id = 'memory-forge'): GitProvider {
  return {
    id,
    capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
    listHeads,
  };
}

/** The result of a job that ended the moment it started (exit code 0 when it succeeded). */
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
