import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import { abortableDelay, backoffDelay } from '@sentry-git/core/internal';
import { isRetryable, type KubeAction, kubeError, kubeFailure } from './errors.js';

/** First retry after about this long, doubling up to RETRY_MAX_MS (with jitter). */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * Per-request client options that bind the request to `signal`: client-node's generated APIs
 * take no AbortSignal, but a middleware may set one on the request before it is sent.
 */
export function signalOptions(signal: AbortSignal): ConfigurationOptions {
  return { middleware: [signalMiddleware(signal)], middlewareMergeStrategy: 'append' };
}

export function signalMiddleware(signal: AbortSignal): ObservableMiddleware {
  return {
    pre(context: RequestContext) {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context) => new Observable(Promise.resolve(context)),
  };
}

export interface CallOptions {
  signal: AbortSignal;
  /** Retries after a connection error, 429 or 5xx. */
  maxRetries: number;
  /** Called before each retry (to say so on the job's output). */
  onRetry?: ((message: string) => void) | undefined;
}

export interface RecoverableCallOptions<T> extends CallOptions {
  /**
   * Called before each retry of a call that may have taken effect although it failed (a create
   * whose answer was lost); returns a value to use instead of retrying, or undefined.
   */
  recover?: (() => Promise<T | undefined>) | undefined;
}

/**
 * Runs one Kubernetes call with retries, bound to `signal`. Failures become a SentryError that
 * names the action, the server's Status message and a fix. An abort rejects with the signal's reason.
 */
export async function callKube<T>(
  action: KubeAction,
  call: (options: ConfigurationOptions) => Promise<T>,
  options: RecoverableCallOptions<T>,
): Promise<T> {
  const { signal } = options;
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await call(signalOptions(signal));
    } catch (error) {
      signal.throwIfAborted();
      const failure = kubeFailure(error);
      if (!failure) throw error;
      if (!isRetryable(failure) || attempt >= options.maxRetries) throw kubeError(failure, action);
      const delay = failure.retryAfterMs ?? backoffDelay(attempt, RETRY_BASE_MS, RETRY_MAX_MS);
      options.onRetry?.(
        `Kubernetes ${action.verb} ${action.resource} failed (${failure.status ?? failure.message}); retry ${attempt + 1} of ${options.maxRetries}`,
      );
      await abortableDelay(Math.min(delay, RETRY_MAX_MS), signal);
      if (options.recover) {
        const recovered = await options.recover();
        if (recovered !== undefined) return recovered;
      }
    }
  }
}
