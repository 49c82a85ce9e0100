import type { RunRecord } from '@sentry-git/core';

/** How many runs finished and how many of them did not succeed: all `watch --once` reports. */
export interface RunTally {
  readonly finished: number;
  readonly failed: number;
}

interface RunFinishSource {
  on(name: 'run:finish', handler: (payload: { run: RunRecord }) => void): () => void;
}

/**
 * Counts finished runs. Only counts are kept: `watch` used to push every finished run into an
 * array for the whole life of the process, so a watch running for weeks held every run (jobs,
 * changes, errors) it ever finished.
 */
export function tallyRuns(source: RunFinishSource): RunTally {
  const tally = { finished: 0, failed: 0 };
  source.on('run:finish', ({ run }) => {
    tally.finished += 1;
    if (run.status !== 'succeeded') tally.failed += 1;
  });
  return tally;
}
