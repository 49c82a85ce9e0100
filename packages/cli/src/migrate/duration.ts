/** Seconds per unit of Go's `time.ParseDuration` (RepoSentry reads its intervals with it). */
const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * A Go duration (`5m`, `30s`, `1h30m`, `1.5h`, `250ms`) in seconds, or `null` when the text is
 * not one. A bare number is refused on purpose: Go reads a unitless integer as nanoseconds, so
 * guessing seconds would silently change the meaning.
 */
export function goDurationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[0-9.]/.test(trimmed)) return null;
  // A fresh sticky regex per call: its lastIndex is state.
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let end = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
    end = part.lastIndex;
  }
  if (end !== trimmed.length) return null;
  // Sums of binary fractions (0.1h) drift; a microsecond is finer than any polling setting.
  return Math.round(total * 1e6) / 1e6;
}
