import type { DeployPlan, PlannedUnit } from '@sentry-git/core';
import { shortSha, table } from './format.js';

const CHANGE_HEAD = ['REPOSITORY', 'BRANCH', 'FROM', 'TO', 'CHANGE', 'DEPLOYS'];

function unitTitle(unit: PlannedUnit): string {
  const parts: string[] = [unit.unit];
  if (unit.paused) {
    const why = unit.paused.reason ? `: ${unit.paused.reason}` : '';
    parts.push(`paused (by ${unit.paused.by} at ${unit.paused.at}${why}): nothing deploys until resumed`);
  }
  if (unit.changes.length === 0 && unit.queued.length === 0) parts.push('up to date');
  return parts.join('  ');
}

function unitLines(unit: PlannedUnit): string[] {
  const lines = [unitTitle(unit)];
  for (const run of unit.queued) lines.push(`  queued already: ${run.id} (${run.trigger}, ${run.createdAt})`);
  if (unit.changes.length > 0) {
    const rows = unit.changes.map((change) => [
      change.repository,
      change.branch,
      shortSha(change.from),
      shortSha(change.to),
      change.kind,
      change.deploys ? 'yes' : `no${change.skipped ? `: ${change.skipped}` : ''}`,
    ]);
    lines.push(table(CHANGE_HEAD, rows).replace(/^/gm, '  '));
  }
  return lines;
}

/** `plan` as text: each unit with the changes a poll would record now, then the heads it could not read. */
export function renderPlan(plan: DeployPlan): string {
  const deploying = plan.units.filter((unit) => unit.changes.some((change) => change.deploys));
  const jobs = deploying.reduce(
    (sum, unit) => sum + unit.changes.filter((change) => change.deploys).length,
    0,
  );
  const blocks = plan.units.map((unit) => unitLines(unit).join('\n'));
  const summary =
    jobs === 0
      ? `Nothing would deploy now (heads read at ${plan.at}; nothing was recorded).`
      : `A poll now would deploy ${jobs} branch${jobs === 1 ? '' : 'es'} in ${deploying.length} unit${deploying.length === 1 ? '' : 's'}${
          deploying.some((unit) => unit.paused) ? ' (paused ones once resumed)' : ''
        } (heads read at ${plan.at}; nothing was recorded).`;
  const errors =
    plan.errors.length === 0
      ? []
      : ['Could not read:', ...plan.errors.map((error) => `  ${error.repository}: ${error.error}`)];
  return [...blocks, '', summary, ...(errors.length > 0 ? ['', ...errors] : [])].join('\n');
}
