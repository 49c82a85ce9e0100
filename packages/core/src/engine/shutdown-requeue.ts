import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { JobRecord, RunRecord } from '../types.js';
import { newId } from './ids.js';

/**
 * Queues again the jobs a shutdown cancelled (the grace period ran out) or kept from starting,
 * so the next start deploys them: a new queued run of the same unit and trigger, merged into
 * the unit's queued run if it has one. A branch that run already deploys is left to it (it
 * holds a newer SHA). The new jobs keep their attempt, so the next start counts one more.
 * The cancelled run stays in the history as it ended.
 */
export async function requeueAfterShutdown(
  store: StateStore,
  logger: Logger,
  run: RunRecord,
  interrupted: readonly JobRecord[],
): Promise<RunRecord | null> {
  if (interrupted.length === 0) return null;
  const queued = await store.listRuns({ unit: run.unit, status: 'queued', limit: 100 });
  const taken = new Set(
    queued.flatMap((other) => other.jobs.map((job) => `${job.repository}\0${job.branch}`)),
  );
  const again = interrupted
    .filter((job) => !taken.has(`${job.repository}\0${job.branch}`))
    .map((job) => ({ old: job, id: newId('job') }));
  if (again.length === 0) return null;
  const { run: requeued } = await store.recordDetection({
    repositories: [],
    changes: [],
    run: {
      id: newId('run'),
      unit: run.unit,
      trigger: run.trigger,
      createdAt: new Date().toISOString(),
      jobs: again.map(({ old, id }) => ({
        id,
        repository: old.repository,
        branch: old.branch,
        sha: old.sha,
        previousSha: old.previousSha,
      })),
    },
  });
  for (const { old, id } of again) if (old.attempt > 0) await store.updateJob(id, { attempt: old.attempt });
  if (requeued)
    logger.warn(
      { runId: run.id, requeuedAs: requeued.id, unit: run.unit },
      `run ${run.id} was cancelled by the shutdown: its ${again.length === 1 ? 'unfinished job is' : `${again.length} unfinished jobs are`} queued again as run ${requeued.id} for the next start`,
    );
  return requeued;
}
