import { errorClass } from './errors.js';
import { timerDelay } from './timer-delay.js';

/**
 * The delay before retry number `attempt` (0-based): doubling from `baseMs`, capped at `maxMs`,
 * with "equal jitter" (at least half the delay), so retries of many repositories spread out
 * without collapsing to zero.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, timerDelay(ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Where a retried operation stands, handed to each attempt. */
export interface RetryAttempt {
  /** 1 for the first try. */
  attempt: number;
  /** Retries still allowed after this attempt; 0 on the last one. */
  retriesLeft: number;
}

export interface RetryOptions {
  /** Retries after the first attempt (so `retries + 1` attempts at most). */
  retries: number;
  /** The backoff's first delay and its cap (see `backoffDelay`). */
  baseMs: number;
  maxMs: number;
  /** Ends the waits between attempts with the signal's reason; a failure after an abort rejects with it too. */
  signal?: AbortSignal | undefined;
  /**
   * Whether a failure is worth another attempt. By default the catalogue decides: a SentryError
   * whose code is `transient` is retried; `permanent`, `after-reset` (a rate limit: retrying
   * before the reset only spends quota) and anything that is no SentryError are not.
   */
  shouldRetry?: ((error: unknown, attempt: RetryAttempt) => boolean) | undefined;
  /** The wait the other side asked for (Retry-After), used instead of the backoff. */
  retryAfterMs?: ((error: unknown) => number | undefined) | undefined;
  /** Called before each wait, e.g. to log "retrying in 2 s". */
  onRetry?: ((retry: { error: unknown; attempt: number; delayMs: number }) => void) | undefined;
  random?: (() => number) | undefined;
}

/**
 * Runs `operation` until it resolves, a failure is not worth retrying, or the retries are spent;
 * then rejects with the last failure. Waits `backoffDelay(attempt - 1, baseMs, maxMs)` between
 * attempts, or what `retryAfterMs` says. The one retry loop of sentry-git (see docs/decisions.md).
 */
export async function retry<T>(
  operation: (attempt: RetryAttempt) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const shouldRetry = options.shouldRetry ?? ((error: unknown) => errorClass(error) === 'transient');
  for (let attempt = 1; ; attempt += 1) {
    const current: RetryAttempt = { attempt, retriesLeft: options.retries - attempt + 1 };
    try {
      return await operation(current);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (current.retriesLeft <= 0 || !shouldRetry(error, current)) throw error;
      const delayMs =
        options.retryAfterMs?.(error) ??
        backoffDelay(attempt - 1, options.baseMs, options.maxMs, options.random);
      options.onRetry?.({ error, attempt, delayMs });
      await abortableDelay(delayMs, options.signal);
    }
  }
}
