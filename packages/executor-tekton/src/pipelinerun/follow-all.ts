import type { TektonRun } from '../kube/types.js';
import type { Outcome } from '../outcome.js';
import { type FollowContext, followPipelineRun } from './follow.js';
import { createProgressReporter } from './progress.js';
import { outcomeOf } from './status.js';

/**
 * Follows every PipelineRun of a job to its end (each with its own watch) and combines them:
 * succeeded only when all succeeded; otherwise failed when any failed, else cancelled. The
 * errors of all that did not succeed are kept. When following one fails (not its PipelineRun:
 * the follow-up itself), the others are stopped and that error is thrown.
 */
export async function followAll(context: FollowContext, runs: readonly TektonRun[]): Promise<Outcome> {
  const prefixWithRun = runs.length > 1;
  const stopOthers = new AbortController();
  const signal = AbortSignal.any([context.signal, stopOthers.signal]);
  const finals = await Promise.all(
    runs.map((run) =>
      followPipelineRun(
        { ...context, signal },
        run,
        createProgressReporter(context.output, { prefixWithRun }),
      ).catch((error: unknown) => {
        stopOthers.abort(error);
        throw error;
      }),
    ),
  );
  const outcomes = finals.map(outcomeOf);
  const errors = outcomes.flatMap((outcome) => (outcome.error ? [outcome.error] : []));
  const status = outcomes.some((outcome) => outcome.status === 'failed')
    ? 'failed'
    : outcomes.some((outcome) => outcome.status === 'cancelled')
      ? 'cancelled'
      : 'succeeded';
  return { status, error: errors.length > 0 ? errors.join('; ') : null };
}
