import type { CancelOutcome } from '../../interfaces/state-store.js';
import type { ActionStamp, JobStatus, RunRecord } from '../../types.js';
import type { RunUpdate } from './recovery.js';

/** What `cancelRun` writes, decided from the run as read inside the store's transaction. */
export interface CancelPlan {
  outcome: CancelOutcome;
  /** The run's patch; null when nothing is written. */
  run: (RunUpdate & { cancelRequest?: ActionStamp }) | null;
  /** The jobs that become `cancelled` (queued ones, of a queued run). */
  jobs: Array<{ id: string; patch: { status: JobStatus; finishedAt: string; error: string } }>;
}

/** The error a run and its jobs carry once cancelled on request: who asked, and why. */
export function cancelledBy(request: ActionStamp): string {
  return `cancelled by ${request.by}${request.reason ? `: ${request.reason}` : ''}`;
}

/**
 * The rules of cancelling: a queued run ends `cancelled` at once with its queued jobs (it never
 * starts); a running one only records the request, the first one kept, because its jobs are
 * the running engine's to stop (it records their results); a finished run is left alone.
 */
export function planCancel(run: RunRecord, request: ActionStamp): CancelPlan {
  if (run.status === 'queued') {
    const error = cancelledBy(request);
    return {
      outcome: 'cancelled',
      run: { status: 'cancelled', finishedAt: request.at, error, cancelRequest: request },
      jobs: run.jobs
        .filter((job) => job.status === 'queued')
        .map((job) => ({ id: job.id, patch: { status: 'cancelled', finishedAt: request.at, error } })),
    };
  }
  if (run.status === 'running') {
    return { outcome: 'requested', run: run.cancelRequest ? null : { cancelRequest: request }, jobs: [] };
  }
  return { outcome: 'finished', run: null, jobs: [] };
}
