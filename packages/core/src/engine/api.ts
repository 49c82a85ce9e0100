import type { SentryConfig, SentryConfigInput } from '../config/schema.js';
import type { EventBus, SentryEventHandler, SentryEventName, SharedEvent } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { SentryPlugin } from '../plugins/define.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import type { PauseRecord, RunRecord } from '../types.js';
import type {
  ActorOptions,
  CancelResult,
  DeployPlan,
  DeployRequest,
  FollowJobOptions,
  PauseTarget,
  PollRequest,
  PollResult,
  ResumeResult,
  StopOptions,
  TriggerOptions,
} from './requests.js';
import type { RepositoryStatus } from './status.js';

export interface CreateSentryOptions {
  /** The configuration: already validated (from `loadConfig`) or an object to validate. */
  config: SentryConfig | SentryConfigInput;
  /** Folder relative paths (plugins, state file) resolve against. @default process.cwd() */
  configDir?: string;
  /** Plugins registered before those listed in the config (first-party adapters, your own). */
  plugins?: SentryPlugin[];
  /**
   * Use this store instead of creating `config.state.driver`, which then need not be installed.
   * @default the store `config.state.driver` names, created with `state.path` / `state.url`
   */
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

/** What an engine's replica tells about itself (see `Sentry.replica`). */
export interface ReplicaView {
  readonly id: string;
  /** Repositories it polls now. */
  polled(): number;
  /** Replicas alive at its last renewal (0 before the first). */
  live(): number;
  /**
   * The other replicas' runs, jobs, changes and actions (`SharedEvent`), rebuilt from the store as
   * they happen; never emitted on this engine's bus (its metrics, notifications and commit
   * statuses stay its own). Heard through the store's notices (PostgreSQL LISTEN/NOTIFY) from the
   * first call on; an event sent while this replica was disconnected from the store is missed
   * (`onGap` says when). Returns the function that stops `handler`. A store without notices never
   * calls it.
   */
  onShared(handler: (event: SharedEvent) => void): () => void;
  /**
   * Calls `handler` each time this replica hears the other replicas' events again after losing
   * them (its listening connection dropped): what they did in between never reached `onShared`,
   * so whatever shows their events should read the store again. `reason` says when and why.
   * Returns the function that stops `handler`. A store without notices never calls it.
   */
  onGap(handler: (reason: string) => void): () => void;
  /** Resolves once the other replicas' events are heard (after a first `onShared`). */
  listening(): Promise<void>;
}

export interface Sentry {
  readonly config: SentryConfig;
  readonly store: StateStore;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly bus: EventBus;
  /** On a state store several replicas share: this engine's replica (its name, its part of the polls). */
  readonly replica?: ReplicaView;
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
  /**
   * Cancels a run: a queued one never starts; a running one has its jobs cancelled (shell
   * process groups killed, PipelineRuns cancelled) and ends `cancelled`, here or, on a shared
   * store, on the replica that runs it. Recorded with who asked and why. `RUN_NOT_FOUND` when
   * there is no such run.
   */
  cancel(runId: string, options: ActorOptions): Promise<CancelResult>;
  /**
   * Queues a new run (trigger `rerun`) of a finished run's unit with its repositories, branches
   * and SHAs. `RUN_NOT_FOUND`; `RUN_NOT_FINISHED` while it is queued or running.
   */
  rerun(runId: string, options: ActorOptions): Promise<RunRecord>;
  /** Queues a run (trigger `deploy`) of one repository branch at a chosen SHA (a rollback). */
  deploy(request: DeployRequest): Promise<RunRecord>;
  /**
   * Pauses a repository (without a group) or a group: still polled and its changes recorded, but
   * no run starts until `resume`. Kept in the state store, so it outlives a restart.
   */
  pause(target: PauseTarget, options: ActorOptions): Promise<PauseRecord>;
  /** Ends a pause; the runs that waited start (one run at the latest heads where they merged). */
  resume(target: PauseTarget, options: ActorOptions): Promise<ResumeResult>;
  /** Every paused unit. */
  pauses(): Promise<PauseRecord[]>;
  /** What a poll would deploy now, per unit, read fresh from every (or the named) repository; records nothing. */
  plan(options?: { repositories?: string[] }): Promise<DeployPlan>;
  /**
   * A job's output: what it printed so far (redacted), then the new text as it comes, ending when
   * the job finishes. For a job this engine runs it follows the executor live; for one another
   * replica runs (or a finished one) it reads the output the runner saves to the store every
   * second or so. `RUN_NOT_FOUND` / `JOB_NOT_FOUND`.
   */
  followJob(runId: string, jobId: string, options?: FollowJobOptions): AsyncIterable<string>;
  /** Resolves with the runs once each has finished. */
  waitForRuns(ids: readonly string[]): Promise<RunRecord[]>;
  /** Resolves when no run is running or waiting to start. */
  idle(): Promise<void>;
  status(): Promise<RepositoryStatus[]>;
}
