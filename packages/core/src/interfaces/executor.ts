import type { SentryEvents } from '../events.js';
import type { Job, JobHandle, JobResult } from '../types.js';

/** A logger shaped like pino's, so any pino child fits. */
export interface Logger {
  trace(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface ExecutorContext {
  /**
   * Aborted on the job's timeout (reason: a `TimeoutError` DOMException), the group's
   * `global_timeout` (also a `TimeoutError`), shutdown (reason: a `ShutdownError`) or someone
   * cancelling the run (reason: a `RunCancelledError`). See `outcomeOfAbort()`.
   */
  signal: AbortSignal;
  log: Logger;
  /** Emit job output; the engine redacts secrets and fans it out to subscribers. */
  output(stream: 'stdout' | 'stderr' | 'system', text: string): void;
  emit<K extends keyof SentryEvents>(name: K, payload: SentryEvents[K]): void;
  /**
   * Reports what the executor started (a process group, a PipelineRun), so that after a crash
   * the engine asks the same executor to `adopt()` it instead of starting a second copy. The
   * runner resolves once the handle is in the state store: an executor that can, waits for it
   * before the work has an effect (the shell executor's commands start only then). Absent when
   * the executor runs without an engine (as a library): nothing would ever adopt the work.
   */
  started?(handle: JobHandle): Promise<void>;
}

export interface ExecutorCapabilities {
  /** Can find and follow work it started before a crash instead of starting it again (`adopt`). */
  reattach: boolean;
}

/** Deploys one job. Honours `signal` and never leaves child processes behind. */
export interface Executor {
  readonly id: string;
  readonly capabilities: ExecutorCapabilities;
  /** Checks a repository's `deploy` block at config time; returns problems as [key, message]. */
  validate?(deploy: Job['deploy']): Array<{ key: string; message: string }>;
  execute(job: Job, context: ExecutorContext): Promise<JobResult>;
  /**
   * After a crash: follows the work `handle` names (reported through `context.started` by an
   * earlier process) to its end and returns its result, without starting it again. A job whose
   * work ended while no engine ran gets the result it recorded. Returns null when there is
   * nothing to adopt (the work never started, or vanished without a result): the runner then
   * runs the job again (`attempt` + 1). Honours `context.signal` like `execute`.
   */
  adopt?(job: Job, handle: JobHandle, context: ExecutorContext): Promise<JobResult | null>;
  /**
   * Called once the job's result is in the state store: drops what was kept so the work could
   * be adopted (the shell executor's job directory). Never throws.
   */
  release?(job: Job, handle: JobHandle): Promise<void>;
}
