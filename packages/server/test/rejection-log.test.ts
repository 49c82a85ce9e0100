import { createLogger, createRedactor } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { createRejectionLog } from '../src/rejection-log.js';
import { fakeClock } from './fake-clock.js';

function capture() {
  const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  const logger = createLogger({
    level: 'debug',
    redactor: createRedactor([]),
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

const badSignature = {
  reason: 'WEBHOOK_SIGNATURE_INVALID',
  provider: 'github',
  message: 'Webhook refused: bad',
};
const unknownProvider = { reason: 'UNKNOWN_PROVIDER', provider: 'nope', message: 'No provider "nope"' };

describe('rejection log', () => {
  it('logs the first of each reason, then one summary per interval with the counts by reason', () => {
    const { logger, lines } = capture();
    const clock = fakeClock();
    const log = createRejectionLog({ logger, intervalMs: 60_000, clock });
    for (let i = 0; i < 40; i += 1) log.note(badSignature);
    for (let i = 0; i < 3; i += 1) log.note(unknownProvider);
    expect(lines.map((line) => line.msg)).toEqual([
      'server: Webhook refused: bad (further webhooks rejected for this reason are counted and summarised every 60 s)',
      'server: No provider "nope" (further webhooks rejected for this reason are counted and summarised every 60 s)',
    ]);
    clock.tick(59_999);
    expect(lines).toHaveLength(2);
    clock.tick(1);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      level: 40,
      rejected: 43,
      reasons: { WEBHOOK_SIGNATURE_INVALID: 40, UNKNOWN_PROVIDER: 3 },
      intervalSeconds: 60,
      msg: expect.stringMatching(
        /^server: 43 webhooks rejected in the last 60 s: 40 WEBHOOK_SIGNATURE_INVALID, 3 UNKNOWN_PROVIDER \(/,
      ),
    });
  });

  it('keeps a steady flood to one line per interval, and logs in full again after a quiet interval', () => {
    const { logger, lines } = capture();
    const clock = fakeClock();
    const log = createRejectionLog({ logger, intervalMs: 60_000, clock });
    log.note(badSignature);
    expect(lines).toHaveLength(1);
    for (let minute = 0; minute < 5; minute += 1) {
      for (let i = 0; i < 100; i += 1) log.note(badSignature);
      clock.tick(60_000);
    }
    // The first line, then one summary per minute: the first minute's 101, then 100 each.
    expect(lines.map((line) => line.rejected)).toEqual([undefined, 101, 100, 100, 100, 100]);
    // A quiet minute: no summary owed, the timer stops.
    clock.tick(60_000);
    clock.tick(60_000);
    expect(lines).toHaveLength(6);
    expect(clock.pending()).toBe(0);
    log.note(badSignature);
    expect(lines).toHaveLength(7);
    expect(lines[6]!.msg).toMatch(/^server: Webhook refused: bad/);
  });

  it('owes no summary when every rejection was logged in full, and summarises what is pending on close', () => {
    const { logger, lines } = capture();
    const clock = fakeClock();
    const log = createRejectionLog({ logger, intervalMs: 60_000, clock });
    log.note(badSignature);
    log.note(unknownProvider);
    clock.tick(60_000);
    expect(lines).toHaveLength(2);
    log.note(badSignature);
    log.note(badSignature);
    clock.tick(15_000);
    log.close();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ rejected: 2, intervalSeconds: 15 });
    expect(clock.pending()).toBe(0);
  });
});
