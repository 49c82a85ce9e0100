import type { RunRecord, TriggerKind } from '../types.js';

/**
 * What can be asked of a running engine, by an embedder (`Sentry`) and by a plugin
 * (`PluginHost`) alike. Types only: plugins/ imports them without importing the engine.
 */
export interface PollResult {
  cycle: number;
  checked: number;
  changed: number;
  errors: number;
  /** Runs queued (or merged into) by this cycle. */
  runs: RunRecord[];
}

export interface TriggerOptions {
  /** Repository names; default every repository of the selected group(s). */
  repositories?: string[];
  /** Only this group's members. */
  group?: string;
  /** @default 'manual' */
  trigger?: TriggerKind;
}

export interface StopOptions {
  /** How long running jobs may go on before they are cancelled. @default global.shutdown_grace × 1000 */
  graceMs?: number;
  /**
   * Why the engine stops, named in the log line and the cancelled runs' error when jobs are
   * cancelled (e.g. `second SIGTERM`).
   */
  reason?: string;
}
