import type { JobRecord, RunRecord } from '@sentry-git/core';

/** A plain text table: columns padded to the widest cell. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 10) : '-';
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

export function jobRows(jobs: readonly JobRecord[]): string[][] {
  return jobs.map((job) => [
    job.repository,
    job.branch,
    shortSha(job.sha),
    job.status,
    job.exitCode === null ? '-' : String(job.exitCode),
    duration(job.durationMs),
    job.error ? job.error.split('\n')[0]!.slice(0, 80) : '',
  ]);
}

export const JOB_HEAD = ['REPOSITORY', 'BRANCH', 'COMMIT', 'STATUS', 'EXIT', 'DURATION', 'ERROR'];

export function describeRun(run: RunRecord): string {
  const by = run.requestedBy ? `  by ${run.requestedBy}` : '';
  const header = `run ${run.id}  ${run.unit}  ${run.trigger}  ${run.status}  ${run.createdAt}${by}${run.error ? `  (${run.error})` : ''}`;
  return `${header}\n${table(JOB_HEAD, jobRows(run.jobs)).replace(/^/gm, '  ')}`;
}
