import type { ChangeKind, PauseRecord, RunRecord, TriggerKind, UnitKey } from '../types.js';

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
  /** Who asked (`RunRecord.requestedBy`). @default null */
  by?: string;
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

/** Who asks for an operator's action (`cancel`, `rerun`, `deploy`, `pause`, `resume`). */
export interface ActorOptions {
  /** The API token's name, or the CLI's `user@host`: recorded with the action. */
  by: string;
  /** Why, recorded with a cancel or a pause. */
  reason?: string;
}

/** What `cancel` did: the run as stored after it, and whether it was queued, running or finished. */
export interface CancelResult {
  run: RunRecord;
  /**
   * `cancelled`: it was queued and never starts. `requested`: it is running and its jobs are
   * being cancelled (`waitForRuns` resolves once they are). `finished`: nothing to cancel.
   */
  outcome: 'cancelled' | 'requested' | 'finished';
}

/** One repository branch to deploy at a chosen commit (a rollback, or a commit not yet polled). */
export interface DeployRequest extends ActorOptions {
  repository: string;
  /** A branch the repository watches (a name its `branches` match). */
  branch: string;
  /** A full commit SHA (40 or 64 hex digits). @default the branch's head as last polled */
  sha?: string;
}

/** A repository without a group, or a group: what `pause` and `resume` act on. */
export type PauseTarget = { repository: string } | { group: string };

/** What `resume` did. */
export interface ResumeResult {
  unit: UnitKey;
  /** False when the unit was not paused. */
  resumed: boolean;
  /** The runs that waited while it was paused, now starting in order (merged into one where they could). */
  queued: RunRecord[];
}

/** What a poll would deploy now: `plan()` reads every head and records nothing. */
export interface DeployPlan {
  /** When the heads were read (ISO 8601). */
  at: string;
  units: PlannedUnit[];
  /** Repositories whose heads could not be read, with the (redacted) reason. */
  errors: Array<{ repository: string; error: string }>;
}

export interface PlannedUnit {
  unit: UnitKey;
  /** The unit's pause, when it is paused: nothing of it deploys until resumed. */
  paused: PauseRecord | null;
  /** Runs already waiting for the unit (queued, not started). */
  queued: Array<{ id: string; trigger: TriggerKind; createdAt: string }>;
  /** The changes a poll would record now, and what each would deploy. */
  changes: PlannedChange[];
}

export interface PlannedChange {
  repository: string;
  branch: string;
  /** The stored head; null for a branch not seen yet. */
  from: string | null;
  /** The head now; null for a deleted branch. */
  to: string | null;
  kind: ChangeKind | 'baseline';
  /** True when the change would queue a job (not a deletion, a baseline, or a skipped change). */
  deploys: boolean;
  /** Why it would not deploy: a path filter, a skip marker, a first sighting. */
  skipped?: string;
}

/** Options of `followJob`. */
export interface FollowJobOptions {
  /** Ends the iteration early (the client went away). */
  signal?: AbortSignal;
}
