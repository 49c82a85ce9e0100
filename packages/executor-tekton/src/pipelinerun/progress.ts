import type { TektonRun } from '../kube/types.js';
import { PIPELINE_RUN_LABEL, PIPELINE_TASK_LABEL } from '../labels.js';
import type { JobOutput } from '../output.js';
import { describeState, succeededCondition } from './status.js';

/** Turns states of a PipelineRun and its TaskRuns into one output line per change. */
export interface ProgressReporter {
  /** A TaskRun's state: a stdout line when it changed. */
  taskRun(taskRun: TektonRun): void;
  /** The PipelineRun's own state: a note when it changed. */
  pipelineRun(pipelineRun: TektonRun): void;
}

/** Oldest first, so a snapshot of several TaskRuns reads in the order they started. */
export function byCreation(a: TektonRun, b: TektonRun): number {
  const at = (run: TektonRun) => run.metadata?.creationTimestamp ?? '';
  return at(a).localeCompare(at(b)) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/**
 * TaskRun changes go to stdout as `[build] Running`, `[build] Succeeded: All Steps have completed
 * executing` (prefixed with the PipelineRun's name when a job follows several); the PipelineRun's
 * own state changes are executor notes. A state seen before (a resync, a re-list) prints nothing.
 */
export function createProgressReporter(
  output: JobOutput,
  options: { prefixWithRun: boolean },
): ProgressReporter {
  const seen = new Map<string, string>();
  let runState: string | undefined;
  return {
    taskRun(taskRun) {
      const name = taskRun.metadata?.name ?? '';
      const state = describeState(taskRun);
      if (seen.get(name) === state) return;
      seen.set(name, state);
      const task = taskRun.metadata?.labels?.[PIPELINE_TASK_LABEL] ?? name;
      const prefix = options.prefixWithRun ? `${taskRun.metadata?.labels?.[PIPELINE_RUN_LABEL] ?? ''}/` : '';
      output.progress(`[${prefix}${task}] ${state}`);
    },
    pipelineRun(pipelineRun) {
      const state = describeState(pipelineRun);
      // "Pending" (no condition yet) says nothing the "Created" note did not.
      if (state === runState || !succeededCondition(pipelineRun)) return;
      runState = state;
      output.note(`PipelineRun ${pipelineRun.metadata?.name ?? ''}: ${state}`);
    },
  };
}
