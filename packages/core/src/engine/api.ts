import type { SentryConfig, SentryConfigInput } from '../config/schema.js';
import type { EventBus, SentryEventHandler, SentryEventName } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { SentryPlugin } from '../plugins/define.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import type { RunRecord } from '../types.js';
import type { PollRequest, PollResult, StopOptions, TriggerOptions } from './requests.js';
import type { RepositoryStatus } from './status.js';

export interface CreateSentryOptions {
  /** The configuration: already validated (from `loadConfig`) or an object to validate. */
  config: SentryConfig | SentryConfigInput;
  /** Folder relative paths (plugins, state file) resolve against. @default process.cwd() */
  configDir?: string;
  /** Plugins registered before those listed in the config (first-party adapters, your own). */
  plugins?: SentryPlugin[];
  /** Use this store instead of creating `config.state.driver`. */
  stateStore?: StateStore;
  /** @default a silent logger */
  logger?: Logger;
  /** Log every event through `logger`. @default true */
  logEvents?: boolean;
  /** Extra secret values to redact. */
  secrets?: string[];
  /** Variables for `${VAR}` expansion when `config` is a raw object. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Load the plugins listed in `config.plugins`. Set false when the caller already loaded them
   * (with `loadPlugins()`) and passes them in `plugins`.
   * @default true
   */
  loadPlugins?: boolean;
  /** Who holds the state store's engine lock, named when another engine finds it taken. @default 'sentry-git' */
  owner?: string;
  /**
   * This engine's name among the replicas of a shared store (`store.coordination`): in leases,
   * claims, logs and metrics. Unique per process. @default `<hostname>-<pid>`
   */
  replica?: string;
  /** `config` was already expanded (it comes from `loadConfig`): validate it, do not expand it again. @default false */
  expanded?: boolean;
}

export interface Sentry {
  readonly config: SentryConfig;
  readonly store: StateStore;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly bus: EventBus;
  on<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void;
  once<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void;
  off<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): void;
  /** Recovers runs a crash left behind, dispatches queued runs, and polls on schedule until `stop()`. */
  start(): Promise<void>;
  /** Stops polling, lets running jobs finish within the grace period, then cancels them. */
  stop(options?: StopOptions): Promise<void>;
  /** `stop()`, then closes the plugins (built-ins last) and the state store. */
  close(options?: StopOptions): Promise<void>;
  /**
   * One poll cycle over every repository (or the named ones); queued runs start at once. Runs it
   * queues are recorded with `trigger` (a webhook receiver passes `webhook`, and the push it
   * announced as `pushed`). @default 'poll'
   */
  pollOnce(options?: PollRequest): Promise<PollResult>;
  /** Deploys now at the last known heads (read fresh where none are known). */
  trigger(options?: TriggerOptions): Promise<RunRecord[]>;
  /** Resolves with the runs once each has finished. */
  waitForRuns(ids: readonly string[]): Promise<RunRecord[]>;
  /** Resolves when no run is running or waiting to start. */
  idle(): Promise<void>;
  status(): Promise<RepositoryStatus[]>;
}
