import { SentryError } from '../../errors.js';

const MILLISECONDS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(\d{1,9})([smhdw])$/;
/**
 * A calendar date (midnight UTC), or a date and time with its zone: a time without one would mean
 * the reading machine's zone, which differs between a laptop, a server and a pod.
 */
const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d))?$/i;

/**
 * Reads "since when" the way the CLI's `--since`, the API's `?since=` and `RunFilter.since` all
 * do: a duration back from `now` (`90s`, `30m`, `2h`, `7d`, `1w`), a date (`2026-11-22`, midnight
 * UTC) or a date and time with a zone (`2026-11-22T20:00:00Z`, `…+01:00`). Answers the time as the
 * stores write times (`toISOString()`), so comparing the text compares the times.
 * @throws SentryError SINCE_INVALID naming the value and what is accepted.
 */
export function parseSince(text: string, now: number = Date.now()): string {
  const value = text.trim();
  const span = DURATION.exec(value);
  if (span) return new Date(now - Number(span[1]) * MILLISECONDS[span[2]!]!).toISOString();
  const time = ISO_TIME.exec(value);
  const at = time ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
  // Date.parse rolls 2026-02-30 over to March 2: a day the calendar lacks is refused instead.
  if (time && !Number.isNaN(at) && isCalendarDate(time[1]!, time[2]!, time[3]!)) {
    return new Date(at).toISOString();
  }
  throw new SentryError(
    'SINCE_INVALID',
    `"since" is ${JSON.stringify(text)}: neither a duration back from now nor an ISO 8601 date or time with a zone.`,
    {
      fix: 'Give a duration (90s, 30m, 2h, 7d, 1w), a date (2026-11-22) or a time with its zone (2026-11-22T20:00:00Z, 2026-11-22T21:00:00+01:00).',
    },
  );
}

function isCalendarDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}
