import type { HeadRecord, PauseRecord, RunRecord } from '../types.js';

/*
 * What a state store keeps, as records that mean the same in every store: what
 * `StateStore.exportState` yields and `StateStore.importState` takes, so state moves from one
 * store to another (SQLite to PostgreSQL and back) through `sentry-git state export | import`.
 * Each record is plain JSON: the export file writes one a line.
 */

/** A repository polled successfully at least once (`RepositoryHeads.seen`). */
export interface StateRepositoryRecord {
  type: 'repository';
  name: string;
  /** When the store first saw it polled (ISO 8601). */
  seenAt: string;
}

/** A stored branch head, as `getHeads` answers it. */
export interface StateHeadRecord extends HeadRecord {
  type: 'head';
}

/** A repository whose polls fail (a repository that polls fine has no record). */
export interface StatePollHealthRecord {
  type: 'pollHealth';
  repository: string;
  /** At least 1. */
  consecutiveFailures: number;
  lastError: string;
  lastErrorAt: string;
  failingSince: string;
}

/** A paused unit, as `listPauses` answers it (a unit that deploys has no record). */
export interface StatePauseRecord extends PauseRecord {
  type: 'pause';
}

/** A run with all its jobs, as `getRun` answers it. */
export interface StateRunRecord extends RunRecord {
  type: 'run';
}

/**
 * One record of a store's state. `exportState` yields the repositories by name, the heads by
 * repository and branch, the poll health by repository, the pauses by unit, then the runs in
 * queue order (oldest first, each with its jobs in position order), so two stores holding the
 * same state export the same records in the same order.
 */
export type StateRecord =
  | StateRepositoryRecord
  | StateHeadRecord
  | StatePollHealthRecord
  | StatePauseRecord
  | StateRunRecord;

/** How many records of each kind: in a store, in an export, written by an import. */
export interface StateCounts {
  repositories: number;
  heads: number;
  /** Repositories whose polls fail. */
  pollHealth: number;
  /** Paused units. */
  pauses: number;
  runs: number;
  /** The jobs of those runs. */
  jobs: number;
}

export interface ImportStateOptions {
  /**
   * Empty the store's state first, in the same transaction as the import. Without it a store that
   * holds any state refuses the import with `STATE_NOT_EMPTY`.
   */
  replace?: boolean;
}

export interface ImportStateResult {
  /** What the import wrote. */
  imported: StateCounts;
  /** What `replace` removed; null when the store held nothing. */
  replaced: StateCounts | null;
}
