import pLimit from 'p-limit';
import { skippedResult } from '../abort.js';
import type { Strategy } from '../interfaces/strategy.js';
import type { JobResult } from '../types.js';

/**
 * Runs members at the same time, at most `maxParallel` at once. Once the group is aborted
 * (global_timeout, shutdown) nothing more starts; without `continueOnError` a failure also stops
 * new starts (running members finish).
 */
export const parallelStrategy: Strategy = {
  id: 'parallel',
  async run(jobs, runOne, { maxParallel, continueOnError, signal }) {
    const limit = pLimit(Math.max(1, maxParallel));
    let stopReason: string | null = null;
    return Promise.all(
      jobs.map((job) =>
        limit(async (): Promise<JobResult> => {
          if (signal.aborted) return skippedResult('not started: the group run was stopped');
          if (stopReason) return skippedResult(stopReason);
          const result = await runOne(job);
          if (!continueOnError && result.status !== 'succeeded' && !stopReason) {
            stopReason = `not started: ${job.repository} (${job.branch}) ended ${result.status} and continue_on_error is false`;
          }
          return result;
        }),
      ),
    );
  },
};
