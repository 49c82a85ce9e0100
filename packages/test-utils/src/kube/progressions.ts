import type { KubeObject } from './types.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A text, or one computed from the PipelineRun (for messages that name it). */
export type Text = string | ((pipelineRun: KubeObject) => string);

/** The state a step gives one child TaskRun (`<pipelineRun>-<pipelineTask>`). */
export interface TaskRunState {
  pipelineTask: string;
  status: ConditionStatus;
  reason: string;
  message?: Text;
}

/** One change of a PipelineRun's status, applied by the fake Tekton controller. */
export interface ProgressionStep {
  /** Wait for this gate first; without it the step follows the previous one at once (asynchronously). */
  after?: Promise<unknown>;
  /** The `Succeeded` condition; omit to leave it as it is. */
  status?: ConditionStatus;
  reason?: string;
  message?: Text;
  /** Defaults to the time of the first step. */
  startTime?: string;
  /** Defaults to the time the condition becomes True or False. */
  completionTime?: string;
  /** Child TaskRuns to create or update, in order. */
  taskRuns?: TaskRunState[];
}

/** What the fake controller does with a PipelineRun, step by step. */
export type Progression = ProgressionStep[];

/** Decides a new PipelineRun's story; `undefined` leaves it to the next handler (or alone). */
export type PipelineRunHandler = (pipelineRun: KubeObject) => Progression | undefined;

/** A promise a test resolves when it wants a progression to go on. */
export interface PromiseGate {
  promise: Promise<void>;
  open(): void;
}

export function promiseGate(): PromiseGate {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Tekton's "Tasks Completed" summary message. */
export function tasksSummary(completed: number, failed = 0, cancelled = 0, skipped = 0): string {
  return `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${cancelled}), Skipped: ${skipped}`;
}

function timeoutOf(pipelineRun: KubeObject): string {
  const spec = pipelineRun.spec as { timeouts?: { pipeline?: string } } | undefined;
  return spec?.timeouts?.pipeline ?? '1h0m0s';
}

export interface StoryOptions {
  /** The pipeline's tasks, run in parallel. @default ['build'] */
  tasks?: string[];
}

function start(tasks: string[]): Progression {
  return [
    { status: 'Unknown', reason: 'Started', message: '' },
    {
      status: 'Unknown',
      reason: 'Running',
      message: tasksSummary(0),
      taskRuns: tasks.map((pipelineTask) => ({
        pipelineTask,
        status: 'Unknown',
        reason: 'Running',
        message: 'Not all Steps in the Task have finished executing',
      })),
    },
  ];
}

function finishAll(tasks: string[]): Progression {
  return tasks.map((pipelineTask, index) => {
    const last = index === tasks.length - 1;
    return {
      status: last ? 'True' : 'Unknown',
      reason: last ? 'Succeeded' : 'Running',
      message: tasksSummary(index + 1),
      taskRuns: [
        { pipelineTask, status: 'True', reason: 'Succeeded', message: 'All Steps have completed executing' },
      ],
    };
  });
}

/** The stories tests need most, with Tekton's reasons and messages. */
export const progressions = {
  /** Started → Running → each task Succeeded → `True/Succeeded`. */
  succeeds(options: StoryOptions = {}): Progression {
    const tasks = options.tasks ?? ['build'];
    return [...start(tasks), ...finishAll(tasks)];
  },
  /** Started → Running → the first task fails → `False/<reason>`. */
  fails(reason = 'Failed', message?: string, options: StoryOptions = {}): Progression {
    const tasks = options.tasks ?? ['build'];
    const failed = tasks[0]!;
    return [
      ...start(tasks),
      {
        status: 'False',
        reason,
        message: message ?? tasksSummary(1, 1),
        taskRuns: [
          {
            pipelineTask: failed,
            status: 'False',
            reason: 'Failed',
            message: `"step-${failed}" exited with code 1`,
          },
        ],
      },
    ];
  },
  /** Started → Running → `False/PipelineRunTimeout`, its TaskRun timed out too. */
  timesOut(options: StoryOptions = {}): Progression {
    const tasks = options.tasks ?? ['build'];
    return [
      ...start(tasks),
      {
        status: 'False',
        reason: 'PipelineRunTimeout',
        message: (pr) => `PipelineRun "${pr.metadata.name}" failed to finish within "${timeoutOf(pr)}"`,
        taskRuns: tasks.map((pipelineTask) => ({
          pipelineTask,
          status: 'False',
          reason: 'TaskRunTimeout',
          message: (pr) =>
            `TaskRun "${pr.metadata.name}-${pipelineTask}" failed to finish within "${timeoutOf(pr)}"`,
        })),
      },
    ];
  },
  /** Started → `False/CreateRunFailed`: the controller could not create a TaskRun. */
  createRunFailed(message?: string): Progression {
    return [
      { status: 'Unknown', reason: 'Started', message: '' },
      {
        status: 'False',
        reason: 'CreateRunFailed',
        message:
          message ??
          ((pr) =>
            `Failed to create TaskRun "${pr.metadata.name}-build": admission webhook "validation.webhook.pipeline.tekton.dev" denied the request`),
      },
    ];
  },
  /** Running with one Running TaskRun until `gate` resolves, then `then` (default: every task succeeds). */
  runsUntil(gate: Promise<unknown>, then?: Progression, options: StoryOptions = {}): Progression {
    const tasks = options.tasks ?? ['build'];
    const [first, ...rest] = then ?? finishAll(tasks);
    return first ? [...start(tasks), { ...first, after: gate }, ...rest] : start(tasks);
  },
  /** Running with one Running TaskRun, and stays so (until cancelled or deleted). */
  runsForever(options: StoryOptions = {}): Progression {
    return start(options.tasks ?? ['build']);
  },
} as const;
