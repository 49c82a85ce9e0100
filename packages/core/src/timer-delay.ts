/**
 * setTimeout's longest delay (2^31 - 1 ms, about 24.8 days). Node fires a longer one after 1 ms
 * (with a TimeoutOverflowWarning) and `AbortSignal.timeout` throws a RangeError past 2^32 - 1, so
 * a delay computed from configured durations (an interval stretched by adaptive polling, jitter
 * and the quota budget) goes through `timerDelay` first.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay timers honour: at least 0, at most `MAX_TIMER_MS` (NaN counts as 0). */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

/** `AbortSignal.timeout` with the delay clamped: aborts after `ms`, or `MAX_TIMER_MS` if that is shorter. */
export function timeoutSignal(ms: number): AbortSignal {
  return AbortSignal.timeout(timerDelay(ms));
}
