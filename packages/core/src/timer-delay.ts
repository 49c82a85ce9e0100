import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from 'node:timers';

/**
 * setTimeout's longest delay (2^31 - 1 ms, about 24.8 days). Node fires a longer one after 1 ms
 * (with a TimeoutOverflowWarning) and `AbortSignal.timeout` throws a RangeError past 2^32 - 1, so
 * a delay computed from configured durations (an interval stretched by adaptive polling, jitter
 * and the quota budget) goes through `timerDelay` first.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay timers honour: at least 0, at most `MAX_TIMER_MS` (NaN counts as 0). */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

/** `AbortSignal.timeout` with the delay clamped: aborts after `ms`, or `MAX_TIMER_MS` if that is shorter. */
export function timeoutSignal(ms: number): AbortSignal {
  return AbortSignal.timeout(timerDelay(ms));
}

/** The real monotonic clock, as the timers below are the real ones (a fake clock moves neither). */
const monotonicNow = performance.now.bind(performance);

/** When a deadline's signal times out (`performance.now()` time), kept on the signal itself. */
const ENDS_AT = Symbol('sentry-git.deadline-ends-at');
interface WithDeadline extends AbortSignal {
  [ENDS_AT]: number;
}

/** A signal that aborts with its parent's reason, or with a TimeoutError after its time. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Whether the time ran out (and the parent had not aborted first). */
  timedOut(): boolean;
  /** Stops the timer and unhooks the parent; call it once the work is done. */
  dispose(): void;
}

/**
 * `AbortSignal.any([parent, AbortSignal.timeout(ms)])` for one request or one poll, at a fraction
 * of its cost: one controller, one listener on the parent and one timer, all released by
 * `dispose()`. In the bench profile of unchanged poll cycles, `AbortSignal.timeout` and
 * `AbortSignal.any` per poll and per request (each registers a weak reference and a finalizer,
 * and the timer lives on until it fires) were about a tenth of the CPU; a micro-benchmark on the
 * bench machine measured 40 µs for the pair against 1.3 µs for this.
 *
 * The timer is node:timers' own, not the global `setTimeout`: like `AbortSignal.timeout`, a test's
 * fake clock does not drive it, and it is unref'd so it never keeps the process alive. The
 * reason is the DOMException `AbortSignal.timeout` gives (`TimeoutError`), so callers that tell
 * a timeout from an abort keep working.
 */
export function deadlineSignal(parent: AbortSignal | undefined, ms: number): Deadline {
  const delay = timerDelay(ms);
  const endsAt = monotonicNow() + delay;
  // The parent ends first anyway (a request's 30 s inside a poll's 30 s that began earlier): its
  // signal serves as it is. A fresh AbortSignal, the parent's listener and undici's on the new
  // signal cost about 30 µs per request on the bench machine, a tenth of a GitLab poll's CPU.
  const inherited = (parent as Partial<WithDeadline> | undefined)?.[ENDS_AT];
  if (parent && inherited !== undefined && inherited <= endsAt) {
    // Its timeout is the parent's, so it never times out first: `timedOut` is the parent's to say.
    return { signal: parent, timedOut: () => false, dispose: () => undefined };
  }
  const controller = new AbortController();
  (controller.signal as WithDeadline)[ENDS_AT] = endsAt;
  let expired = false;
  const onParent = () => controller.abort(parent?.reason);
  const timer = realSetTimeout(() => {
    expired = true;
    parent?.removeEventListener('abort', onParent);
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, delay);
  timer.unref();
  if (parent?.aborted) {
    realClearTimeout(timer);
    onParent();
  } else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired && !parent?.aborted,
    dispose() {
      realClearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
