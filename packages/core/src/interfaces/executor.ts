import type { SentryEvents } from '../events.js';
import type { Job, JobResult } from '../types.js';

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
   * `global_timeout` (also a `TimeoutError`) or shutdown (reason: a `ShutdownError`).
   * See `outcomeOfAbort()`.
   */
  signal: AbortSignal;
  log: Logger;
  /** Emit job output; the engine redacts secrets and fans it out to subscribers. */
  output(stream: 'stdout' | 'stderr' | 'system', text: string): void;
  emit<K extends keyof SentryEvents>(name: K, payload: SentryEvents[K]): void;
}

export interface ExecutorCapabilities {
  /** Can find and follow work it started before a crash instead of starting it again. */
  reattach: boolean;
}

/** Deploys one job. Honours `signal` and never leaves child processes behind. */
export interface Executor {
  readonly id: string;
  readonly capabilities: ExecutorCapabilities;
  /** Checks a repository's `deploy` block at config time; returns problems as [key, message]. */
  validate?(deploy: Job['deploy']): Array<{ key: string; message: string }>;
  execute(job: Job, context: ExecutorContext): Promise<JobResult>;
}
