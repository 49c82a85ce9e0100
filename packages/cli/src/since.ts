const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+)([smhdw])$/;
/** A date, or a date and time with seconds and a zone as `new Date` reads ISO 8601. */
const ISO = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;

/**
 * `--since`: an ISO 8601 time (`2026-11-22`, `2026-11-22T20:00:00Z`) or a duration back from
 * `now` (`30m`, `2h`, `7d`, `1w`, `90s`), as the ISO time the state store filters on. A value
 * that is neither throws an Error saying what is accepted (oclif reports it as a usage error).
 */
export function parseSince(text: string, now: number = Date.now()): string {
  const value = text.trim();
  const span = DURATION.exec(value);
  if (span) return new Date(now - Number(span[1]) * UNITS[span[2]!]!).toISOString();
  const time = ISO.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new Error(
      `"${text}" is neither a duration nor an ISO 8601 time. Give a duration back from now (30m, 2h, 7d, 1w) or a time such as 2026-11-22 or 2026-11-22T20:00:00Z.`,
    );
  }
  return new Date(time).toISOString();
}
