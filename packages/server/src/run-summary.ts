import type { JobRecord, RunRecord } from '@sentry-git/core';

/** A job without its output tail (the log route and `GET /runs/:id` carry that). */
export type JobSummary = Omit<JobRecord, 'output'>;

/** A run as lists and the event stream show it: its jobs without their output tails. */
export type RunSummary = Omit<RunRecord, 'jobs'> & { jobs: JobSummary[] };

export function jobSummary(job: JobRecord): JobSummary {
  const { output: _output, ...rest } = job;
  return rest;
}

export function runSummary(run: RunRecord): RunSummary {
  return { ...run, jobs: run.jobs.map(jobSummary) };
}
