import type { JobOutcome } from '@sentry-git/core';
import type { Condition, TektonRun } from '../kube/types.js';

/** Reasons of `Succeeded=False` that mean the run was cancelled, not that it failed. */
export const CANCELLED_REASONS: ReadonlySet<string> = new Set([
  'Cancelled',
  'CancelledRunFinally',
  'StoppedRunFinally',
  // TaskRuns of a cancelled PipelineRun.
  'TaskRunCancelled',
]);

export function succeededCondition(run: TektonRun): Condition | undefined {
  return run.status?.conditions?.find((condition) => condition.type === 'Succeeded');
}

/** Done once `Succeeded` is True or False (Unknown covers Started, Running and "Cancelled, stopping"). */
export function isFinished(run: TektonRun): boolean {
  const status = succeededCondition(run)?.status;
  return status === 'True' || status === 'False';
}

export interface RunOutcome {
  status: Extract<JobOutcome, 'succeeded' | 'failed' | 'cancelled'>;
  /** `PipelineRun <name> <reason>: <message>`, or null when it succeeded. */
  error: string | null;
}

/** The job outcome of a finished PipelineRun; reason and message are kept in the error. */
export function outcomeOf(run: TektonRun): RunOutcome {
  const condition = succeededCondition(run);
  const name = run.metadata?.name ?? '(unnamed)';
  if (condition?.status === 'True') return { status: 'succeeded', error: null };
  const reason = condition?.reason || 'Failed';
  const message = condition?.message ? `: ${condition.message}` : '';
  return {
    status: CANCELLED_REASONS.has(reason) ? 'cancelled' : 'failed',
    error: `PipelineRun ${name} ${reason}${message}`,
  };
}

/** One line for a run's state: `Running`, `Succeeded: All Steps have completed executing`. */
export function describeState(run: TektonRun): string {
  const condition = succeededCondition(run);
  if (!condition) return 'Pending';
  const reason = condition.reason || (condition.status === 'True' ? 'Succeeded' : condition.status);
  // While running, Tekton's message is a progress blurb; the reason says it all.
  return condition.status === 'Unknown' || !condition.message ? reason : `${reason}: ${condition.message}`;
}
