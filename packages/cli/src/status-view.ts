import type { RepositoryStatus } from '@sentry-git/core';
import { shortSha, table } from './format.js';
import { resumeCommand } from './pause-target.js';

const HEAD = ['REPOSITORY', 'GROUP', 'BRANCH', 'LAST SEEN', 'SEEN AT', 'LAST RUN', 'POLLS'];

function lastRun(repo: RepositoryStatus): string {
  const run = repo.lastRun;
  return run ? `${run.status} (${run.id.slice(0, 16)}, job ${run.jobStatus ?? '-'})` : '-';
}

function failing(repo: RepositoryStatus): boolean {
  return repo.health.consecutiveFailures > 0;
}

/** The POLLS cell: how the last polls went, as far as the state knows. */
function polls(repo: RepositoryStatus): string {
  if (failing(repo)) return `failing (${repo.health.consecutiveFailures} in a row)`;
  return repo.seen ? 'ok' : '-';
}

function placeholder(repo: RepositoryStatus): string {
  if (repo.seen) return '(no matching branch)';
  return failing(repo) ? '(poll failing)' : '(not polled yet)';
}

/** One line per failing repository under the table: the error text is too long for a cell. */
function failureLines(report: readonly RepositoryStatus[]): string[] {
  return report.filter(failing).flatMap((repo) => {
    const { consecutiveFailures, failingSince, lastErrorAt, lastError } = repo.health;
    const polls =
      consecutiveFailures === 1 ? '1 failed poll' : `${consecutiveFailures} failed polls in a row`;
    const when =
      failingSince && failingSince !== lastErrorAt
        ? `since ${failingSince}, last at ${lastErrorAt}`
        : `at ${lastErrorAt ?? '-'}`;
    // Git and HTTP errors span lines; one line each keeps the list readable and greppable.
    const error = (lastError ?? 'no error recorded').replace(/\s*\n\s*/g, ' ').trim();
    return [`  ${repo.name}: ${polls} ${when}`, `    ${error}`];
  });
}

/** One line per paused unit (a group's members share it): who paused it, when, why, and how to resume. */
function pauseLines(report: readonly RepositoryStatus[]): string[] {
  const units = new Map(
    report.flatMap((repo) => (repo.paused ? [[repo.paused.unit, repo.paused] as const] : [])),
  );
  return [...units.values()].map((pause) => {
    const why = pause.reason ? `: ${pause.reason}` : '';
    return `  ${pause.unit} by ${pause.by} since ${pause.at}${why} (${resumeCommand(pause.unit)})`;
  });
}

/**
 * `sentry-git status` as text: a row per watched branch, then the paused units and the
 * repositories whose polls fail.
 */
export function renderStatus(report: readonly RepositoryStatus[]): string {
  const rows = report.flatMap((repo) => {
    const heads =
      repo.heads.length > 0 ? repo.heads : [{ branch: placeholder(repo), sha: '', updatedAt: '' }];
    return heads.map((head, i) => [
      i === 0 ? repo.name : '',
      i === 0 ? (repo.group ?? '-') : '',
      head.branch,
      shortSha(head.sha || null),
      head.updatedAt || '-',
      i === 0 ? lastRun(repo) : '',
      i === 0 ? polls(repo) : '',
    ]);
  });
  const pauses = pauseLines(report);
  const failures = failureLines(report);
  return [
    table(HEAD, rows),
    ...(pauses.length === 0 ? [] : [`Paused (changes are recorded, nothing deploys):\n${pauses.join('\n')}`]),
    ...(failures.length === 0 ? [] : [`Poll failures:\n${failures.join('\n')}`]),
  ].join('\n\n');
}
