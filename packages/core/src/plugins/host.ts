import type { SentryConfig } from '../config/schema.js';
import type { PollResult, TriggerOptions } from '../engine/requests.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { Redactor } from '../redact.js';
import type { RunRecord, TriggerKind } from '../types.js';

/**
 * What a plugin's `setup()` receives: the engine's events, its configuration, logger and
 * redactor, and two hooks to ask for work. Not the engine itself: a plugin cannot reach the
 * store, the scheduler or the lanes, and plugins/ imports nothing from the engine.
 */
export interface PluginHost {
  /** The validated configuration (secrets expanded: never log it as it is, use `redactor`). */
  readonly config: SentryConfig;
  /** The engine's logger; its lines are redacted when it comes from `createLogger`. */
  readonly logger: Logger;
  /** Masks every configured secret in a string or value. */
  readonly redactor: Redactor;
  /** Subscribe with `events.on(name, handler)` (returns its unsubscribe); `emit` reports, e.g. an `error`. */
  readonly events: EventBus;
  /**
   * Polls the named repositories (default every one) now, outside the schedule; what changed
   * deploys as usual. Rejects with UNKNOWN_REPOSITORY for a name not in the configuration.
   */
  pollNow(request?: { repositories?: string[]; trigger?: TriggerKind }): Promise<PollResult>;
  /** Deploys now at the last known heads, like `sentry-git trigger`. */
  trigger(options?: TriggerOptions): Promise<RunRecord[]>;
}

/**
 * What `setup()` may return: how the engine ends the plugin. `close()` calls, for each plugin in
 * the reverse order of setup, `flush()` then `close(graceMs)`, and waits for each.
 */
export interface PluginLifecycle {
  /** Finish the work already started (reports in flight); called just before `close`. */
  flush?(): void | Promise<void>;
  /**
   * Stop listening and release resources. `graceMs` is the engine's shutdown grace (what
   * `close({ graceMs })` was given, else `global.shutdown_grace`): work still in flight after it
   * may be abandoned.
   */
  close?(graceMs: number): void | Promise<void>;
}

/** A bare function is still accepted, as `close` (the form of earlier versions). */
export type PluginSetupResult = void | PluginLifecycle | ((graceMs: number) => void | Promise<void>);
