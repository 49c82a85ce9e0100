import type { RejectionLogClock } from '../src/rejection-log.js';

/** A clock the test moves: `tick(ms)` advances time and fires the timers that fall due, in order. */
export function fakeClock(start = Date.UTC(2024, 0, 1)): RejectionLogClock & {
  tick(ms: number): void;
  /** Timers set and not yet fired or cancelled. */
  pending(): number;
} {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimer(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return () => timers.delete(id);
    },
    tick(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}
