import { type JobRecord, SentryError } from '@sentry-git/core';
import { shortSha } from './format.js';

type JobOf = Pick<JobRecord, 'id' | 'repository' | 'branch' | 'sha' | 'status' | 'position'>;

function listed(jobs: readonly JobOf[]): string {
  return jobs.map((job) => `${job.id} (${job.repository}@${job.branch} ${shortSha(job.sha)})`).join(', ');
}

/**
 * The jobs of a run `logs` shows, in the run's order: every job, or the one `--job` names by its
 * id, its repository (when the run has one job of it) or `repository@branch`.
 */
export function selectJobs<T extends JobOf>(
  runId: string,
  jobs: readonly T[],
  wanted: string | undefined,
): T[] {
  const ordered = [...jobs].sort((a, b) => a.position - b.position);
  if (wanted === undefined) return ordered;
  const byId = ordered.filter((job) => job.id === wanted);
  if (byId.length > 0) return byId;
  const matches = ordered.filter(
    (job) => job.repository === wanted || `${job.repository}@${job.branch}` === wanted,
  );
  if (matches.length === 1) return matches;
  if (matches.length > 1) {
    throw new SentryError(
      'JOB_NOT_FOUND',
      `--job ${wanted} names ${matches.length} jobs of run ${runId}: ${listed(matches)}.`,
      { fix: `Name one: --job ${matches[0]!.repository}@${matches[0]!.branch}, or its job id.` },
    );
  }
  throw new SentryError('JOB_NOT_FOUND', `Run ${runId} has no job "${wanted}".`, {
    fix: `Give a job id, a repository or repository@branch of its jobs: ${listed(ordered)}.`,
  });
}
