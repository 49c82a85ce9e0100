import { describe, expect, it } from 'vitest';
import { SentryError } from '../src/errors.js';
import { parseSince, runQueryOf } from '../src/state/rules/index.js';

const NOW = Date.parse('2026-11-22T20:00:00.000Z');

function refusal(text: string): SentryError {
  try {
    parseSince(text, NOW);
  } catch (error) {
    return error as SentryError;
  }
  throw new Error(`parseSince(${JSON.stringify(text)}) was accepted`);
}

describe('parseSince', () => {
  it('takes a duration back from now', () => {
    expect(parseSince('30m', NOW)).toBe('2026-11-22T19:30:00.000Z');
    expect(parseSince('2h', NOW)).toBe('2026-11-22T18:00:00.000Z');
    expect(parseSince('7d', NOW)).toBe('2026-11-15T20:00:00.000Z');
    expect(parseSince('1w', NOW)).toBe('2026-11-15T20:00:00.000Z');
    expect(parseSince(' 90s ', NOW)).toBe('2026-11-22T19:58:30.000Z');
  });

  it('takes a date (midnight UTC) or a date and time with its zone, answered in UTC', () => {
    expect(parseSince('2026-11-22T20:00:00Z', NOW)).toBe('2026-11-22T20:00:00.000Z');
    expect(parseSince('2026-11-22T21:00:00+01:00', NOW)).toBe('2026-11-22T20:00:00.000Z');
    expect(parseSince('2026-11-22 21:00+0100', NOW)).toBe('2026-11-22T20:00:00.000Z');
    expect(parseSince('2026-11-22T20:00:00.123456Z', NOW)).toBe('2026-11-22T20:00:00.123Z');
    expect(parseSince('2026-11-22', NOW)).toBe('2026-11-22T00:00:00.000Z');
    expect(parseSince('2028-02-29', NOW)).toBe('2028-02-29T00:00:00.000Z');
  });

  it('refuses anything else with SINCE_INVALID, naming the value and what it takes', () => {
    const bad = [
      'yesterday',
      '2h30m',
      '5',
      '-2h',
      '',
      '2 days',
      '2026-13-45',
      '2026-02-30',
      // A time without a zone would mean the reading machine's zone.
      '2026-11-22T20:00:00',
      '9999999999d',
    ];
    for (const text of bad) {
      const error = refusal(text);
      expect(error, text).toBeInstanceOf(SentryError);
      expect(error.code).toBe('SINCE_INVALID');
      expect(error.fix).toMatch(/^Give a duration \(90s, 30m, 2h, 7d, 1w\), a date/);
      expect(error.message).toBe(
        `"since" is ${JSON.stringify(text)}: neither a duration back from now nor an ISO 8601 date or time with a zone. Fix: ${error.fix}`,
      );
    }
  });

  it('is what RunFilter.since means to every store', () => {
    expect(runQueryOf({ since: '2024-01-01T01:00:02+01:00' }).since).toBe('2024-01-01T00:00:02.000Z');
    expect(Date.parse(runQueryOf({ since: '1h' }).since!)).toBeLessThanOrEqual(Date.now() - 3_600_000);
    expect(() => runQueryOf({ since: 'last week' })).toThrow(
      expect.objectContaining({ code: 'SINCE_INVALID' }),
    );
  });
});
