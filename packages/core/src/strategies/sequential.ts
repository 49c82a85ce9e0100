import { skippedResult } from '../abort.js';
import type { Strategy } from '../interfaces/strategy.js';
import type { JobResult } from '../types.js';

/** Runs members one after another, in order; stops at the first failure unless `continueOnError`. */
export const sequentialStrategy: Strategy = {
  id: 'sequential',
  async run(jobs, runOne, { continueOnError, signal }) {
    const results: JobResult[] = [];
    let stopReason: string | null = null;
    for (const job of jobs) {
      if (signal.aborted) stopReason ??= 'not started: the group run was stopped';
      if (stopReason) {
        results.push(skippedResult(stopReason));
        continue;
      }
      const result = await runOne(job);
      results.push(result);
      if (result.status !== 'succeeded' && !continueOnError) {
        stopReason = `not started: ${job.repository} (${job.branch}) ended ${result.status} and continue_on_error is false`;
      }
    }
    return results;
  },
};
