import type { Job, JobResult } from '../types.js';

export interface StrategyOptions {
  maxParallel: number;
  continueOnError: boolean;
  /** Aborted on `global_timeout` or shutdown: start nothing more. */
  signal: AbortSignal;
}

/**
 * Runs the jobs of one group run. Returns one result per job, in the jobs' order; a job it chose
 * not to start gets `skipped` (use `skippedResult()`).
 */
export interface Strategy {
  readonly id: string;
  run(jobs: Job[], runOne: (job: Job) => Promise<JobResult>, options: StrategyOptions): Promise<JobResult[]>;
}
