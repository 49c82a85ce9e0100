import type { JobPatch, RecoveryResult, RunPatch } from '../../interfaces/state-store.js';
import type { JobStatus, RunRecord, RunStatus } from '../../types.js';

/** What happens to runs a crash (or a stop) left unfinished: queued again, or failed. */
export type RecoveryPolicy = 'requeue' | 'fail';

/** The statuses of a run or job that has no outcome yet: what a crash can leave behind. */
export const UNFINISHED_STATUSES = ['queued', 'running'] as const satisfies readonly (RunStatus &
  JobStatus)[];

export const INTERRUPTED_BY_CRASH = 'interrupted by a crash';

/** A run patch as recovery writes it: it may also count an interruption. */
export type RunUpdate = RunPatch & { attempts?: number };

/** The writes of a recovery, in one transaction, and what `recoverInterrupted` answers. */
export interface RecoveryPlan {
  /** Run patches: `undefined` leaves a field, `null` clears it (as `updateRun`). */
  runs: Array<{ id: string; patch: RunUpdate }>;
  /** Job patches, as `updateJob` applies them. */
  jobs: Array<{ id: string; patch: JobPatch }>;
  /** The runs as stored once the plan is applied, in the order given. */
  result: RecoveryResult;
}

/**
 * The rules of recovering after a crash, decided without storage. `unfinished` are the runs the
 * store holds with a status in `UNFINISHED_STATUSES`, in queue order (oldest first); finished
 * ones are ignored. With `requeue` a run becomes `queued` again and counts an interruption only
 * if it had started; a job left `running` becomes `queued` but keeps its `attempt` and `handle`
 * (the runner asks the executor to adopt the work); finished jobs keep their result. With `fail`
 * the run fails with `interrupted by a crash` and its unfinished jobs are cancelled.
 */
export function planRecovery(
  unfinished: readonly RunRecord[],
  policy: RecoveryPolicy,
  now: string,
): RecoveryPlan {
  const plan: RecoveryPlan = { runs: [], jobs: [], result: { requeued: [], failed: [] } };
  for (const stored of unfinished) {
    if (!isUnfinished(stored.status)) continue;
    const run = structuredClone(stored);
    const runPatch = policy === 'requeue' ? requeuedRun(run) : failedRun(now);
    plan.runs.push({ id: run.id, patch: runPatch });
    Object.assign(run, runPatch);
    for (const job of run.jobs) {
      const jobPatch = policy === 'requeue' ? requeuedJob(job.status) : cancelledJob(job.status, now);
      if (!jobPatch) continue;
      plan.jobs.push({ id: job.id, patch: jobPatch });
      Object.assign(job, jobPatch);
    }
    (policy === 'requeue' ? plan.result.requeued : plan.result.failed).push(run);
  }
  return plan;
}

function isUnfinished(status: RunStatus | JobStatus): boolean {
  return (UNFINISHED_STATUSES as readonly string[]).includes(status);
}

function requeuedRun(run: RunRecord): RunUpdate {
  // Only a run that had started was interrupted; a queued one simply waits again.
  const patch: RunUpdate = { status: 'queued', startedAt: null };
  if (run.status === 'running') patch.attempts = run.attempts + 1;
  return patch;
}

function requeuedJob(status: JobStatus): JobPatch | null {
  return status === 'running' ? { status: 'queued', startedAt: null } : null;
}

function failedRun(now: string): RunUpdate {
  return { status: 'failed', error: INTERRUPTED_BY_CRASH, finishedAt: now };
}

function cancelledJob(status: JobStatus, now: string): JobPatch | null {
  return isUnfinished(status) ? { status: 'cancelled', error: INTERRUPTED_BY_CRASH, finishedAt: now } : null;
}
