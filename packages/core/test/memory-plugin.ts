import type { GitProvider } from '../src/index.js';

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
