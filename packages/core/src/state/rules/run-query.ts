import type { RunFilter } from '../../interfaces/state-store.js';
import type { RunStatus, TriggerKind, UnitKey } from '../../types.js';
import { parseSince } from './since.js';

/** `listRuns` without a `limit`. */
export const DEFAULT_RUN_LIMIT = 20;

/** A `RunFilter` with its defaults applied, ready for a store to answer. */
export interface RunQuery {
  limit: number;
  offset: number;
  /** Empty: any status (an empty list filters nothing, like an absent one). */
  statuses: RunStatus[];
  unit: UnitKey | undefined;
  repository: string | undefined;
  trigger: TriggerKind | undefined;
  /**
   * Runs created at or after, as the stores write times (`toISOString()`), so comparing the text
   * compares the times; undefined: any.
   */
  since: string | undefined;
}

/**
 * Reads a filter the way every store must: 20 runs by default, whole non-negative numbers, `since`
 * in the stores' form of a time (`2024-01-01T00:00:00Z` → `2024-01-01T00:00:00.000Z`, `2h` → two
 * hours ago) as `parseSince` reads it.
 */
export function runQueryOf(filter: RunFilter = {}): RunQuery {
  return {
    limit: wholeOr(filter.limit, DEFAULT_RUN_LIMIT),
    offset: wholeOr(filter.offset, 0),
    statuses: filter.status === undefined ? [] : [filter.status].flat(),
    unit: filter.unit,
    repository: filter.repository,
    trigger: filter.trigger,
    since: filter.since === undefined ? undefined : parseSince(filter.since),
  };
}

function wholeOr(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));
}
