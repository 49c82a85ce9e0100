import type {
  ActionStamp,
  HeadChange,
  HeadRecord,
  JobRecord,
  JobStatus,
  PauseRecord,
  RunRecord,
  RunSpec,
  RunStatus,
  TriggerKind,
  UnitKey,
} from '../types.js';
import type { ClaimFence, Coordination } from './coordination.js';
import type { ImportStateOptions, ImportStateResult, StateRecord } from './state-transfer.js';

export interface DetectionInput {
  /** Repositories polled successfully in this cycle: they count as seen (baselined) from now on. */
  repositories: string[];
  /** Heads to write: `after: null` removes the head. */
  changes: HeadChange[];
  /**
   * The run that deploys the changes. When the unit already has a queued (not yet started)
   * run, it merges into the newest one instead: a job for the same repository and branch takes
   * the newer SHA (keeping its original `previousSha`), other jobs are appended.
   * A run with no jobs or with an id already in use throws `STATE_INVALID_RUN` and writes nothing.
   * `planDetection` decides all of this; a store applies its plan.
   */
  run?: RunSpec;
}

export interface DetectionResult {
  run: RunRecord | null;
  /** True when the jobs were merged into an already queued run. */
  coalesced: boolean;
  /**
   * Changes a shared store did not record because its heads had moved on since the poll read
   * them (another replica recorded first), with their jobs; only stores with `coordination`
   * compare. `stale` names the repositories whose remote heads should be read again: those whose
   * stored head is neither the change's `before` nor its `after`.
   */
  dropped?: { changes: HeadChange[]; stale: string[] };
}

export interface RepositoryHeads {
  /** False until the repository was polled successfully once. */
  seen: boolean;
  heads: HeadRecord[];
}

/**
 * How a repository's polling goes, as far as it must outlive the process: the failures in a row
 * since its last successful poll. `sentry-git status` reads it without an engine.
 */
export interface PollHealth {
  /** Polls that failed in a row; 0 when the last poll succeeded (or none failed yet). */
  consecutiveFailures: number;
  /** The last failure's message, redacted by the engine before it was stored; null when not failing. */
  lastError: string | null;
  /** When the last failure happened (ISO 8601); null when not failing. */
  lastErrorAt: string | null;
  /** When the first failure of this streak happened (ISO 8601); null when not failing. */
  failingSince: string | null;
}

/** One failed poll, as the engine reports it to the store. */
export interface PollFailure {
  /** What went wrong (already redacted). */
  error: string;
  /** When (ISO 8601). */
  at: string;
}

export type RunPatch = Partial<Pick<RunRecord, 'status' | 'startedAt' | 'finishedAt' | 'error'>>;
export type JobPatch = Partial<
  Pick<
    JobRecord,
    | 'status'
    | 'exitCode'
    | 'startedAt'
    | 'finishedAt'
    | 'durationMs'
    | 'output'
    | 'error'
    | 'attempt'
    | 'handle'
  >
>;

export interface RunFilter {
  /** Most recent first; default 20. */
  limit?: number;
  offset?: number;
  status?: RunStatus | RunStatus[];
  unit?: UnitKey;
  repository?: string;
  trigger?: TriggerKind;
  /**
   * Only runs created at or after this time: ISO 8601 with a zone, a date, or a duration back
   * from now (`2h`), as `parseSince` reads it (SINCE_INVALID otherwise).
   */
  since?: string;
}

/** What `cancelRun` did. */
export type CancelOutcome =
  /** It was queued: it is `cancelled` now, with its jobs, and will never start. */
  | 'cancelled'
  /** It is running: the request is recorded (`RunRecord.cancelRequest`) for the engine that runs it. */
  | 'requested'
  /** It had finished already: nothing changed. */
  | 'finished';

export interface RecoveryResult {
  /** Runs that were `running` or `queued` when the process died, now `queued` again (oldest first). */
  requeued: RunRecord[];
  /** Runs marked failed instead (policy `fail`). */
  failed: RunRecord[];
}

export interface StateStoreCapabilities {
  /** State survives a restart of the process. */
  durable: boolean;
}

/**
 * Keeps heads and run history. A detected change is never lost: the new head and the queued
 * run that deploys it are written in one transaction, before anything runs.
 *
 * A store is storage: what to write is decided by core's pure rules (`planDetection`,
 * `planRecovery`, `planPollFailure`), which a store calls inside its transaction with what it
 * read there, and whose plan it writes. Queue order, used by `nextQueuedRun`, by the runs handed
 * to the rules and by recovery, is `createdAt` then the order the store inserted the runs.
 */
export interface StateStore {
  readonly id: string;
  readonly capabilities: StateStoreCapabilities;
  getHeads(repository: string): Promise<RepositoryHeads>;
  /**
   * `getHeads` of many repositories in one read: each of `repositories` (unknown ones included,
   * as unseen with no heads) mapped to what `getHeads` would answer. The engine asks it at the
   * start of a poll cycle for the repositories whose heads it has not in memory (after a start,
   * or after a detection wrote them), instead of one `getHeads` per poll. Optional: without it
   * each poll reads its own.
   */
  getHeadsMany?(repositories: readonly string[]): Promise<Map<string, RepositoryHeads>>;
  recordDetection(input: DetectionInput): Promise<DetectionResult>;
  /**
   * Records that `sha` of a branch deployed successfully (`HeadRecord.deployedSha`). A baseline
   * change sets it too. A head the store no longer has is ignored.
   */
  markDeployed(repository: string, branch: string, sha: string, fence?: ClaimFence): Promise<void>;
  /**
   * Counts one more failed poll of `repository`, keeping its error and time (the first failure of
   * a streak also sets `failingSince`); returns the health as now stored. The engine calls it on
   * every failed poll.
   */
  recordPollFailure(repository: string, failure: PollFailure): Promise<PollHealth>;
  /**
   * A poll succeeded again: the count returns to 0 and the error is forgotten. The engine calls it
   * once, on the first success after failures, so an unchanged successful poll writes nothing.
   * A repository without failures is left as it is.
   */
  clearPollFailures(repository: string): Promise<void>;
  /** The failures in a row of a repository: 0 and nulls when it has none (or was never polled). */
  getPollHealth(repository: string): Promise<PollHealth>;
  /**
   * Patches a run. With a `fence` (a shared store, a claimed run) the write is refused with
   * `CLAIM_LOST` when the unit's claim is no longer the fence's; so are `updateJob` and `markDeployed`.
   */
  updateRun(id: string, patch: RunPatch, fence?: ClaimFence): Promise<void>;
  updateJob(id: string, patch: JobPatch, fence?: ClaimFence): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /**
   * The run the unit deploys next: its oldest `queued` run in queue order, with its jobs; null
   * when the unit has none waiting. Runs that started or finished are never returned.
   */
  nextQueuedRun(unit: UnitKey): Promise<RunRecord | null>;
  /**
   * Cancels a run in one transaction. A `queued` run becomes `cancelled` (its `finishedAt` now,
   * its error `cancelled by <by>[: <reason>]`) with every queued job. A `running` run keeps
   * running and gets `cancelRequest` (a later request does not replace the first); the engine that
   * runs it reads it and cancels its jobs. A finished run is left as it is. Null when there is no
   * such run. The run is answered as stored after the change.
   */
  cancelRun(id: string, request: ActionStamp): Promise<{ run: RunRecord; outcome: CancelOutcome } | null>;
  /**
   * Pauses a unit (`pause` set: kept with who and when, replacing an earlier pause of it) or
   * resumes it (`null`: forgotten). Durable stores keep pauses across restarts. A store with
   * `coordination` never claims a queued run of a paused unit (`claimRun`, `unclaimedUnits`).
   */
  setPause(unit: UnitKey, pause: ActionStamp | null): Promise<void>;
  /** Every paused unit, sorted by unit. */
  listPauses(): Promise<PauseRecord[]>;
  /**
   * After a crash: runs left `running` or `queued` become `queued` (their unfinished jobs too,
   * finished jobs keep their result), or `failed` with policy `fail`. A job left `running` keeps
   * its `handle` and `attempt`: the runner asks the executor to adopt the work it started.
   * `planRecovery` decides it; a store applies its plan in one transaction.
   */
  recoverInterrupted(options?: { policy?: 'requeue' | 'fail'; now?: string }): Promise<RecoveryResult>;
  /**
   * Claims the storage for one engine before it recovers and runs anything: recovery re-queues
   * `running` runs, which is only right when no other live engine is running them. Rejects with
   * `ENGINE_LOCKED` (naming the holder) while another engine holds it; a holder that died is
   * taken over. Optional: stores that only one process can open need none. Released by the
   * returned function or by `close()`.
   */
  acquireEngineLock?(owner: string): Promise<() => Promise<void>>;
  /**
   * Present when several engines (replicas) may use the store at once: they share the polls and
   * the runs through it, and take no engine lock. A store with it also compares each detected
   * change with its stored head (`DetectionResult.dropped`) and honours fences.
   */
  readonly coordination?: Coordination;
  /**
   * Everything the store keeps, as store-neutral records (`sentry-git state export`): seen
   * repositories, heads, poll health, then runs with their jobs, in the order `StateRecord`
   * describes. One consistent snapshot, read as the caller iterates; safe beside a running
   * engine. Iterate to the end or stop early (`break`): either ends the snapshot's read.
   * Optional: a store without it cannot be exported.
   */
  exportState?(): AsyncIterable<StateRecord>;
  /**
   * Writes `records` (as `exportState` yields them, from this or another store) in one
   * transaction: all of them or, when any is refused, none. Every record is checked first with
   * `checkStateRecords` (`STATE_EXPORT_INVALID` names the record, the key, the value and what
   * was expected). A store that holds any state refuses with `STATE_NOT_EMPTY` unless `replace`,
   * which empties it in the same transaction. The caller holds the engine lock (an import
   * replaces what an engine works from), and the store is used for nothing else until it settles.
   * Optional: a store without it cannot be imported into.
   */
  importState?(
    records: AsyncIterable<StateRecord> | Iterable<StateRecord>,
    options?: ImportStateOptions,
  ): Promise<ImportStateResult>;
  close(): Promise<void>;
}

/** Options every state store factory receives. */
export interface StateStoreContext {
  /** Folder of the configuration file (relative paths resolve against it). */
  configDir: string;
  /** `state.path` from the configuration, if any. */
  path?: string | undefined;
  /** `state.url` from the configuration, if any (a database server's connection URL). */
  url?: string | undefined;
}

export interface StateStoreFactory {
  readonly id: string;
  create(context: StateStoreContext): StateStore | Promise<StateStore>;
}

export type { JobStatus };
