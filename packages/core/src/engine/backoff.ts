/** Delay before the next poll of a repository: its interval, doubled per consecutive failure up to 30 min (never less than the interval), spread by jitter. */
export function nextPollDelayMs(
  intervalSeconds: number,
  consecutiveFailures: number,
  jitter: number,
  random: () => number = Math.random,
): number {
  const base = intervalSeconds * 1000;
  const cap = Math.max(base, 30 * 60 * 1000);
  const delay = consecutiveFailures > 0 ? Math.min(cap, base * 2 ** consecutiveFailures) : base;
  const spread = delay * jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(delay + spread));
}
