import type { GitProvider, JobResult } from '../src/index.js';

/**
 * A provider whose heads come from the test, with comparisons (path filters, skip markers) only
 * when the test answers them, and no other optional capability.
 */
export function memoryProvider(
  listHeads: GitProvider['listHeads'],
  id = 'memory-forge',
  changedFiles?: GitProvider['changedFiles'],
): GitProvider {
  return {
    id,
    capabilities: { changedFiles: changedFiles !== undefined, commitStatus: false, webhooks: false },
    listHeads,
    ...(changedFiles ? { changedFiles } : {}),
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
