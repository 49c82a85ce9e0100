/**
 * The dry run: what a poll would deploy now. Each repository's heads are read through its
 * provider as a poll reads them (poll-cycle.ts `poll`: fallback to git, path filters, skip
 * markers, compared with the stored heads), and nothing is recorded: no heads, no runs, no poll
 * health, no `change` or `run:*` events. Per unit it adds what already waits: its pause and its
 * queued runs.
 */
import pLimit from 'p-limit';
import type { SentryConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Redactor } from '../redact.js';
import type { HeadChange } from '../types.js';
import { isDeployable } from './detector.js';
import type { Poller } from './poll-cycle.js';
import type { DeployPlan, PlannedChange, PlannedUnit } from './requests.js';
import { selectRepositories } from './select.js';
import { groupByUnit } from './units.js';

export interface PlanInput {
  config: SentryConfig;
  store: StateStore;
  redactor: Redactor;
  poller: Pick<Poller, 'poll'>;
}

/** Queued runs read for the plan (a unit's queued runs merge, so there are few per unit). */
const QUEUED_READ_LIMIT = 1000;

function plannedChange(change: HeadChange, deployOnFirstSight: boolean): PlannedChange {
  const deploys = isDeployable(change, deployOnFirstSight);
  const skipped = deploys
    ? undefined
    : (change.skipped ??
      (change.kind === 'baseline'
        ? 'first sighting: recorded as the baseline, not deployed (global.deploy_on_first_sight is false)'
        : 'the branch was deleted: nothing to deploy'));
  return {
    repository: change.repository,
    branch: change.branch,
    from: change.before,
    to: change.after,
    kind: change.kind,
    deploys,
    ...(skipped === undefined ? {} : { skipped }),
  };
}

export async function planDeploys(
  input: PlanInput,
  options: { repositories?: string[] } = {},
): Promise<DeployPlan> {
  const { config, store, redactor, poller } = input;
  const repos = selectRepositories(config, options.repositories);
  const at = new Date().toISOString();
  const limit = pLimit(config.global.poll_concurrency);
  const polled = await Promise.all(repos.map((repo) => limit(() => poller.poll(repo, true))));
  const pauses = new Map((await store.listPauses()).map((pause) => [pause.unit, pause]));
  const queued = (await store.listRuns({ status: 'queued', limit: QUEUED_READ_LIMIT })).reverse();
  const errors: DeployPlan['errors'] = [];
  const changes = new Map<string, PlannedChange[]>();
  for (const { outcome } of polled) {
    if (outcome.ok)
      changes.set(
        outcome.repo.name,
        outcome.changes.map((change) => plannedChange(change, config.global.deploy_on_first_sight)),
      );
    else errors.push({ repository: outcome.repo.name, error: redactor.redact(errorMessage(outcome.error)) });
  }
  const units: PlannedUnit[] = [...groupByUnit(repos, (repo) => repo)].map(([unit, members]) => ({
    unit,
    paused: pauses.get(unit) ?? null,
    queued: queued
      .filter((run) => run.unit === unit)
      .map((run) => ({ id: run.id, trigger: run.trigger, createdAt: run.createdAt })),
    changes: members.flatMap((repo) => changes.get(repo.name) ?? []),
  }));
  return { at, units, errors };
}
