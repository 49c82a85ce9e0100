import type { StateCounts, StateRecord } from '../../interfaces/state-transfer.js';
import { plural } from '../../plural.js';

export function emptyStateCounts(): StateCounts {
  return { repositories: 0, heads: 0, pollHealth: 0, pauses: 0, runs: 0, jobs: 0 };
}

/** True when `counts` holds nothing at all: a store with these counts may be imported into. */
export function isEmptyState(counts: StateCounts): boolean {
  return Object.values(counts).every((count) => count === 0);
}

/** Counts `record` into `counts`. */
export function countRecord(counts: StateCounts, record: StateRecord): void {
  if (record.type === 'repository') counts.repositories += 1;
  else if (record.type === 'head') counts.heads += 1;
  else if (record.type === 'pollHealth') counts.pollHealth += 1;
  else if (record.type === 'pause') counts.pauses += 1;
  else {
    counts.runs += 1;
    counts.jobs += record.jobs.length;
  }
}

/**
 * `2 repositories, 3 heads, 1 failing repository, 1 paused unit, 12 runs with 15 jobs`, for
 * summaries and errors (the paused units only when there are some).
 */
export function describeStateCounts(counts: StateCounts): string {
  return [
    plural(counts.repositories, 'repository', 'repositories'),
    plural(counts.heads, 'head', 'heads'),
    plural(counts.pollHealth, 'failing repository', 'failing repositories'),
    ...(counts.pauses > 0 ? [plural(counts.pauses, 'paused unit', 'paused units')] : []),
    `${plural(counts.runs, 'run', 'runs')} with ${plural(counts.jobs, 'job', 'jobs')}`,
  ].join(', ');
}
