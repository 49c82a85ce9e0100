import type { RepositoryConfig } from '../config/schema.js';

/**
 * Each poll that finds nothing multiplies a repository's interval by this much. 1.5 rather than 2:
 * the interval then stays near half of how long the repository has been quiet (a push after a
 * quiet hour is seen within about half an hour; doubling would make that the whole hour), and it
 * still reaches a 10× maximum within six idle polls.
 */
export const IDLE_GROWTH = 1.5;

/** The interval a repository returns to after activity, and the longest one idling stretches it to (seconds). */
export interface IntervalBounds {
  base: number;
  max: number;
}

/**
 * A repository's bounds: its own `monitor.polling_interval` / `monitor.max_polling_interval`,
 * else the global ones. A maximum below the base (a global maximum shorter than a repository's
 * own interval) means no stretching, never polling faster than configured.
 */
export function intervalBounds(
  repo: RepositoryConfig,
  defaults: { interval: number; maxInterval?: number },
): IntervalBounds {
  const base = repo.monitor.polling_interval ?? defaults.interval;
  const max = repo.monitor.max_polling_interval ?? defaults.maxInterval ?? base;
  return { base, max: Math.max(base, max) };
}

/**
 * The interval after a successful poll: back to the base when the repository showed activity (a
 * change, a webhook, a manual trigger), else stretched by `IDLE_GROWTH` up to the maximum.
 */
export function nextInterval(current: number, bounds: IntervalBounds, active: boolean): number {
  if (active) return bounds.base;
  // Millisecond precision: whole seconds would stall sub-second intervals (used in tests) at their base.
  return Math.min(bounds.max, Math.round(current * IDLE_GROWTH * 1000) / 1000);
}
