import { describe, expect, it } from 'vitest';
import { parseSince } from '../src/since.js';

const NOW = Date.parse('2026-11-22T20:00:00.000Z');

describe('--since', () => {
  it('takes a duration back from now', () => {
    expect(parseSince('30m', NOW)).toBe('2026-11-22T19:30:00.000Z');
    expect(parseSince('2h', NOW)).toBe('2026-11-22T18:00:00.000Z');
    expect(parseSince('7d', NOW)).toBe('2026-11-15T20:00:00.000Z');
    expect(parseSince('1w', NOW)).toBe('2026-11-15T20:00:00.000Z');
    expect(parseSince('90s', NOW)).toBe('2026-11-22T19:58:30.000Z');
  });

  it('takes an ISO 8601 date or time', () => {
    expect(parseSince('2026-11-22T20:00:00Z', NOW)).toBe('2026-11-22T20:00:00.000Z');
    expect(parseSince('2026-11-22T21:00:00+01:00', NOW)).toBe('2026-11-22T20:00:00.000Z');
    expect(parseSince('2026-11-22', NOW)).toBe('2026-11-22T00:00:00.000Z');
  });

  it('refuses anything else, naming the value and what it takes', () => {
    for (const bad of ['yesterday', '2h30m', '5', '-2h', '2026-13-45', '']) {
      expect(() => parseSince(bad, NOW)).toThrow(
        /is neither a duration nor an ISO 8601 time\. Give a duration/,
      );
    }
    expect(() => parseSince('2 days', NOW)).toThrow('"2 days" is neither');
  });
});
