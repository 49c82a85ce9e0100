import { timeoutError } from '@sentry-git/core';
import { timerDelay } from '@sentry-git/core/internal';

/**
 * The runner aborts the context's signal on timeout; this adds the same limit from
 * `job.timeoutSeconds`, so the executor used on its own (as a library) is bounded too.
 */
export function withJobTimeout(
  signal: AbortSignal,
  timeoutSeconds: number,
): { signal: AbortSignal; dispose(): void } {
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return { signal, dispose() {} };
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(timeoutError(`job timed out after ${timeoutSeconds}s`)),
    timerDelay(timeoutSeconds * 1000),
  );
  return { signal: AbortSignal.any([signal, controller.signal]), dispose: () => clearTimeout(timer) };
}
