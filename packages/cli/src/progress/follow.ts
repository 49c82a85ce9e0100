import type { RunEventSource } from './events.js';
import type { ProgressView, RunView } from './view.js';

const FINISHED = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

export function isFinished(run: Pick<RunView, 'status'>): boolean {
  return FINISHED.has(run.status);
}

export interface FollowInput {
  source: RunEventSource;
  /** The runs to follow, as queued. */
  ids: readonly string[];
  view: ProgressView;
  /** The run as stored now (null: unknown), read once the events flow to catch one already over. */
  snapshot(id: string): Promise<RunView | null>;
  /** Why following stopped early, given the runs still unfinished (e.g. the server went away). */
  lostError(error: Error, unfinished: string[]): Error;
}

/**
 * Shows the runs' jobs as they start and end, and resolves once every run has finished. The
 * events come first (kept from before the runs were queued); a snapshot of each run then
 * catches one that was already over.
 */
export function followRuns(input: FollowInput): Promise<void> {
  const { source, view } = input;
  const pending = new Set(input.ids);
  return new Promise<void>((resolve, reject) => {
    function finish(run: RunView): void {
      if (!pending.delete(run.id)) return;
      view.runFinished(run);
      if (pending.size === 0) resolve();
    }
    source.listen(
      (event) => {
        if (!pending.has(event.run.id)) return;
        if (event.type === 'job:start') {
          const job = event.run.jobs.find((candidate) => candidate.id === event.jobId);
          if (job) view.jobStarted(event.run, job);
        } else if (event.type === 'job:finish') view.jobFinished(event.run, event.job);
        else finish(event.run);
      },
      (error) => {
        if (pending.size > 0) reject(input.lostError(error, [...pending]));
      },
    );
    if (pending.size === 0) resolve();
    for (const id of input.ids) {
      input.snapshot(id).then((run) => {
        if (run && isFinished(run)) finish(run);
      }, reject);
    }
  });
}
