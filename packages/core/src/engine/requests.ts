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

/**
 * What a push webhook announced: a branch and the SHA it says the branch now points at. Only a
 * hint: the poll still reads the head from the forge. While that request is on its way, the
 * comparison path filters and skip markers need (stored head...`after`) is asked for beside it,
 * and used only when the forge confirms the branch is at `after`.
 */
export interface PushHint {
  branch: string;
  after: string;
}

/** A poll outside the schedule (`pollOnce`, a webhook, a plugin's `pollNow`). */
export interface PollRequest {
  /** Repository names; default every repository. */
  repositories?: string[];
  /** Recorded on the runs the poll queues. @default 'poll' */
  trigger?: TriggerKind;
  /** The push a webhook announced for these repositories (see PushHint). */
  pushed?: PushHint;
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
