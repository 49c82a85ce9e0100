import { errorMessage } from '@sentry-git/core';
import { timeoutSignal } from '@sentry-git/core/internal';
import type { TektonApi } from '../kube/tekton-api.js';
import type { JobOutput } from '../output.js';
import { followPipelineRun } from './follow.js';
import { createProgressReporter } from './progress.js';
import { isFinished } from './status.js';

export interface CancelContext {
  api: TektonApi;
  namespace: string;
  /** Selects the job's PipelineRuns (by job id, or by the EventListener's event id). */
  selector: string;
  /** How long to wait for them to report Cancelled. */
  graceMs: number;
  pollIntervalMs: number;
  maxRetries: number;
  output: JobOutput;
  /** Why (the job's abort message), for the notes. */
  why: string;
}

/**
 * Cancels the job's unfinished PipelineRuns (merge-patch `spec.status: Cancelled`, as
 * `tkn pipelinerun cancel` does) and waits up to `graceMs` for them to report it. Listing by
 * selector, not by remembered names, also catches one whose create was in flight at the abort.
 * Never throws: the job ends as timed out or cancelled either way; problems become notes.
 */
export async function cancelPipelineRuns(context: CancelContext): Promise<void> {
  const { api, namespace, output } = context;
  // The job's own signal is aborted already: these calls get their own deadline.
  const signal = timeoutSignal(context.graceMs);
  let names: string[] = [];
  try {
    const { items } = await api.list(namespace, context.selector, signal);
    const running = items.filter((run) => !isFinished(run));
    names = running.map((run) => run.metadata?.name ?? '');
    if (running.length === 0) return;
    output.note(`Cancelling PipelineRun ${names.join(', ')} (${context.why})`);
    const cancelled = await Promise.all(
      running.map((run) => api.cancel(namespace, run.metadata?.name ?? '', signal)),
    );
    const follow = {
      api,
      namespace,
      signal,
      pollIntervalMs: context.pollIntervalMs,
      maxRetries: context.maxRetries,
      output,
    };
    // The reporter notes each one's final state (Cancelled, or what it ended with first).
    await Promise.all(
      cancelled.map((run) =>
        followPipelineRun(
          follow,
          run,
          createProgressReporter(output, { prefixWithRun: cancelled.length > 1 }),
        ),
      ),
    );
  } catch (error) {
    const which =
      names.length > 0 ? `PipelineRun ${names.join(', ')}` : `the PipelineRuns (${context.selector})`;
    output.note(
      signal.aborted
        ? `${which} did not report Cancelled within ${context.graceMs / 1000}s; check with: kubectl get pipelineruns -n ${namespace} -l ${context.selector}`
        : `Could not cancel ${which}: ${errorMessage(error)}`,
    );
  }
}
