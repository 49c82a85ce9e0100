import { setMaxListeners } from 'node:events';
import { type Deadline, deadlineSignal } from '../timer-delay.js';

/**
 * The deadlines of polls (and of the comparisons a poll makes): each aborts on stop, with its
 * reason, or with a TimeoutError once `global.poll_timeout` has passed.
 *
 * Polls that start within one slot share one deadline, a slot being 1/32 of the timeout and at
 * most 1 s (30 s: 0.94 s). A slot's deadline runs from the slot's start, so a poll is given up
 * between 97 % and 100 % of the timeout after it began, never later; a request's own timeout of
 * the same length then ends after the poll's and reuses its signal (`deadlineSignal`).
 *
 * Why not one signal per poll: on Node 20 an AbortSignal (an EventTarget whose prototype Node
 * changes, then adds properties to) costs 3.6 µs to create and outlives the young generation,
 * so only full collections free them. At 5,000 polls per cycle with an instant provider
 * (bench/floor/engine.mjs), a signal per poll was more than half of what survived the young
 * generation, with a mark-compact every cycle; docs/decisions.md, decision 40, has the figures.
 */
export interface PollDeadlines {
  /** The deadline of work that starts now. Call its `dispose()` when the work is done. */
  start(): Deadline;
}

/** A slot is this share of the timeout... */
const SLOT_SHARE = 1 / 32;
/** ...and at most this long, so a long timeout is not cut short by more than this. */
const MAX_SLOT_MS = 1000;

interface Slot {
  readonly deadline: Deadline;
  readonly opensAt: number;
  /** Deadlines handed out and not yet disposed. */
  users: number;
}

export function createPollDeadlines(
  stop: AbortSignal,
  timeoutMs: number,
  /** Milliseconds on a monotonic clock; tests pass their own. @default performance.now */
  now: () => number = () => performance.now(),
): PollDeadlines {
  const slotMs = Math.min(MAX_SLOT_MS, timeoutMs * SLOT_SHARE);
  let current: Slot | undefined;

  function open(at: number): Slot {
    const deadline = deadlineSignal(stop, timeoutMs);
    // Every request of the slot's polls listens on it; the slot bounds how many there are.
    setMaxListeners(0, deadline.signal);
    return { deadline, opensAt: at, users: 0 };
  }

  /** Releases a slot's timer and its listener on `stop` once no poll uses it. */
  function release(slot: Slot): void {
    if (slot.users === 0 && slot !== current) slot.deadline.dispose();
  }

  function slotFor(at: number): Slot {
    const slot = current;
    if (slot && at - slot.opensAt < slotMs && !slot.deadline.signal.aborted) return slot;
    current = open(at);
    if (slot) release(slot);
    return current;
  }

  return {
    start() {
      const slot = slotFor(now());
      slot.users += 1;
      let disposed = false;
      return {
        signal: slot.deadline.signal,
        timedOut: () => slot.deadline.timedOut(),
        dispose() {
          if (disposed) return;
          disposed = true;
          slot.users -= 1;
          release(slot);
        },
      };
    },
  };
}
