import type { RunRecord, UnitKey } from '../types.js';

/**
 * Proof that a replica still holds the claim it runs a unit's run under. A store refuses a write
 * that carries a fence once another replica has claimed the unit (a higher epoch), with
 * `CLAIM_LOST`: a replica paused past its lease cannot record over the one that took over.
 */
export interface ClaimFence {
  unit: UnitKey;
  /** The replica that claimed the unit. */
  replica: string;
  /** Grows by one with every claim of the unit, whoever takes it. */
  epoch: number;
}

/** A unit claimed by one replica, with the run it deploys now. */
export interface RunClaim extends ClaimFence {
  /** The run, marked `running` by the claim, with its jobs. */
  run: RunRecord;
  /**
   * The run was left `running` by a replica whose claim lapsed (it died, or lost the database):
   * it was recovered under the recovery policy first, so its unfinished jobs are queued again and
   * a job that was running keeps its `handle` for the executor to adopt.
   */
  recovered: boolean;
}

/** Options of a run claim. */
export interface ClaimRunOptions {
  /** How long the claim lives without a renewal. */
  leaseMs: number;
  /** What happens to a run a lapsed claim left running (`global.recover`). */
  policy: 'requeue' | 'fail';
  /** When the claim is made (ISO 8601), for the recovery's times. */
  now: string;
}

/**
 * How several engines (replicas) share one store: leases on polls, claims on runs. A store that
 * several processes can open at once implements it on its own locking (PostgreSQL: row locks,
 * advisory locks, unique keys); core's replica loop (`engine/replica.ts`) and dispatcher decide
 * when to call what. Lease times are measured by the store's clock only, so replicas' clocks
 * need not agree; what a replica does after losing a lease is fenced by epochs.
 */
export interface Coordination {
  /**
   * Registers `replica`, or renews its registration, for `leaseMs`; answers the ids of the
   * replicas registered and not lapsed, itself included, sorted.
   */
  heartbeat(replica: string, leaseMs: number): Promise<string[]>;
  /**
   * The repositories `replica` polls from now on, among `repositories`: it renews the leases it
   * holds for `leaseMs`, gives back the ones beyond `share` (so a replica that joined gets its
   * part), and takes free or lapsed ones up to `share`. Answers the ones it holds, sorted.
   */
  balancePolls(
    replica: string,
    repositories: readonly string[],
    share: number,
    leaseMs: number,
  ): Promise<string[]>;
  /**
   * Claims `unit` for `replica` and its next run: a run a lapsed claim left `running` (recovered
   * under `options.policy` first; with `fail` it ends failed and the next queued run is taken),
   * else the oldest `queued` run, marked `running`. Null, claiming nothing, while another
   * replica's claim on the unit lives, or when the unit has nothing to run. A paused unit
   * (`StateStore.setPause`) starts no queued run: its claim answers a run a lapsed claim left
   * `running` (that run had started before the pause), else null.
   */
  claimRun(unit: UnitKey, replica: string, options: ClaimRunOptions): Promise<RunClaim | null>;
  /** Extends the claim by `leaseMs`; false when it was lost (another replica claimed the unit). */
  renewClaim(fence: ClaimFence, leaseMs: number): Promise<boolean>;
  /** Gives the unit back once its run ended (or was handed back); a lost claim is left alone. */
  releaseClaim(fence: ClaimFence): Promise<void>;
  /**
   * Units whose work nobody does: a `queued` or `running` run and no live claim, paused units
   * with only queued runs left out. The dispatcher asks on every heartbeat and claims them.
   */
  unclaimedUnits(): Promise<UnitKey[]>;
  /** The replica stops: its poll leases and registration go at once, so others need not wait for them to lapse. */
  leave(replica: string): Promise<void>;
  /** Where replicas hear each other's events; absent when the store cannot carry them. */
  readonly notices?: NoticeChannel;
}

/** The events one replica tells the others about (see `SharedEvents` in events.ts). */
export type SharedEventName =
  | 'change'
  | 'run:queued'
  | 'run:start'
  | 'job:start'
  | 'job:finish'
  | 'run:finish'
  | 'action';

/**
 * One replica's event, told to the others in a few hundred bytes: its name, the replica, the ids
 * the others read the rest with from the store, and the small fields the store does not hold (a
 * change's SHAs, an action's who and why). Never a job's output; strings already redacted.
 */
export interface ReplicaNotice {
  event: SharedEventName;
  /** The replica whose engine emitted it. */
  replica: string;
  run?: string;
  job?: string;
  repository?: string;
  branch?: string;
  /** Small fields of the event, bounded by `encodeNotice`. */
  fields?: Record<string, string | number | boolean | null | string[]>;
}

/**
 * How replicas on one store hear each other's events (PostgreSQL: LISTEN/NOTIFY). Delivery is at
 * most once: a notice sent while a listener is disconnected is lost, never retried.
 */
export interface NoticeChannel {
  /** Sends a notice to every replica listening (the sender's own listener too). */
  publish(notice: ReplicaNotice): Promise<void>;
  /**
   * Calls `handler` with every notice from now on. Resolves once the notices are heard (the
   * store listens), with the function that stops them; a store that cannot listen yet keeps
   * trying in the background and resolves anyway. `problem` is told why it cannot listen (it
   * lost its connection) each time it happens, and `undefined` once it listens again.
   */
  subscribe(
    handler: (notice: ReplicaNotice) => void,
    problem?: (message: string | undefined) => void,
  ): Promise<() => void>;
}
