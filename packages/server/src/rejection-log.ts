import type { Logger } from '@sentry-git/core';
import { plural } from '@sentry-git/core/internal';

/** The clock the summaries run on; tests pass one they move and fire by hand. */
export interface RejectionLogClock {
  now(): number;
  /** Calls `callback` once after `ms`; returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

/** Real time; the timer does not keep the process alive. */
export const systemClock: RejectionLogClock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface Rejection {
  /** Stable reason: the error code the caller was answered with (e.g. `WEBHOOK_SIGNATURE_INVALID`). */
  reason: string;
  provider: string;
  /** The answer's message, already redacted. */
  message: string;
}

export interface RejectionLog {
  note(rejection: Rejection): void;
  /** Writes the summary of the window so far, if it owes one, and stops the timer. */
  close(): void;
}

/**
 * Logs refused webhooks without letting a caller fill the disk: the first rejection of each
 * reason is logged in full, the rest only counted, and while rejections keep coming one summary
 * line per interval gives the counts by reason. A reason seen in the window before stays quiet
 * (the summaries carry it); after a quiet interval the next rejection is logged in full again.
 * The exact count is the `sentry_git_webhooks_rejected_total` metric's job.
 */
export function createRejectionLog(input: {
  logger: Logger;
  intervalMs: number;
  clock?: RejectionLogClock;
}): RejectionLog {
  const { logger, intervalMs } = input;
  const clock = input.clock ?? systemClock;
  const seconds = Math.round(intervalMs / 1000);
  /** Rejections by reason in the current window. */
  let counts = new Map<string, number>();
  /** Rejections of this window not logged in full: a summary is owed when there are any. */
  let unlogged = 0;
  /** Reasons logged in full, or summarised, in this window or the one before. */
  let known = new Set<string>();
  let windowStart = 0;
  let cancel: (() => void) | undefined;

  function summarise(): void {
    if (unlogged === 0) return;
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const byReason = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const elapsed = Math.max(1, Math.round((clock.now() - windowStart) / 1000));
    logger.warn(
      { rejected: total, reasons: Object.fromEntries(byReason), intervalSeconds: elapsed },
      `server: ${plural(total, 'webhook', 'webhooks')} rejected in the last ${elapsed} s: ${byReason
        .map(([reason, count]) => `${count} ${reason}`)
        .join(
          ', ',
        )} (the first of each reason is logged in full; the exact count is the metric sentry_git_webhooks_rejected_total)`,
    );
  }

  function endWindow(): void {
    cancel = undefined;
    summarise();
    const quiet = counts.size === 0;
    // Reasons of the window that just ended stay quiet in the next one: a steady flood gives one line per interval.
    known = new Set(counts.keys());
    counts = new Map();
    unlogged = 0;
    if (!quiet) startWindow();
  }

  function startWindow(): void {
    windowStart = clock.now();
    cancel = clock.setTimer(endWindow, intervalMs);
  }

  return {
    note({ reason, provider, message }) {
      if (!cancel) startWindow();
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
      if (known.has(reason)) {
        unlogged += 1;
        return;
      }
      known.add(reason);
      logger.warn(
        { provider, code: reason },
        `server: ${message} (further webhooks rejected for this reason are counted and summarised every ${seconds} s)`,
      );
    },
    close() {
      cancel?.();
      cancel = undefined;
      summarise();
      counts = new Map();
      unlogged = 0;
      known = new Set();
    },
  };
}
