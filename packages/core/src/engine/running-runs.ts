import { RunCancelledError } from '../abort.js';
import { cancelledBy } from '../state/rules/cancel.js';
import type { ActionStamp } from '../types.js';

/**
 * The runs this engine runs now, each with the controller that cancels it. The runner registers a
 * run before it marks it running and forgets it once it ended; `cancel` aborts the run's signal
 * with a RunCancelledError (its jobs end `cancelled`, nothing is queued again).
 */
export interface RunningRuns {
  /** Registers a run; its `signal` aborts when the run is cancelled. Call `done()` once it ended. */
  start(runId: string): { signal: AbortSignal; done(): void };
  /** Cancels a run running here with the request's message; false when it does not run here. */
  cancel(runId: string, request: ActionStamp): boolean;
  /** The ids of the runs running here, not yet cancelled. */
  uncancelled(): string[];
  readonly size: number;
}

export function createRunningRuns(onStart: () => void): RunningRuns {
  const runs = new Map<string, AbortController>();
  return {
    start(runId) {
      const controller = new AbortController();
      runs.set(runId, controller);
      onStart();
      return {
        signal: controller.signal,
        done: () => {
          if (runs.get(runId) === controller) runs.delete(runId);
        },
      };
    },
    cancel(runId, request) {
      const controller = runs.get(runId);
      if (!controller) return false;
      if (!controller.signal.aborted) controller.abort(new RunCancelledError(cancelledBy(request)));
      return true;
    },
    uncancelled: () => [...runs].filter(([, controller]) => !controller.signal.aborted).map(([id]) => id),
    get size() {
      return runs.size;
    },
  };
}
