import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import { retry } from '@sentry-git/core/internal';
import { isRetryable, type KubeAction, type KubeFailure, kubeError, kubeFailure } from './errors.js';

/** A Kubernetes API failure between attempts, before it becomes the SentryError that is thrown. */
class FailedCall extends Error {
  constructor(
    readonly failure: KubeFailure,
    cause: unknown,
  ) {
    super(failure.message, { cause });
  }
}

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
  return retry(
    async ({ attempt }) => {
      // A retry of a call that may have taken effect first asks whether it did.
      if (attempt > 1 && options.recover) {
        const recovered = await options.recover();
        if (recovered !== undefined) return recovered;
      }
      signal.throwIfAborted();
      try {
        return await call(signalOptions(signal));
      } catch (error) {
        signal.throwIfAborted();
        const failure = kubeFailure(error);
        throw failure ? new FailedCall(failure, error) : error;
      }
    },
    {
      retries: options.maxRetries,
      baseMs: RETRY_BASE_MS,
      maxMs: RETRY_MAX_MS,
      signal,
      shouldRetry: (error) => error instanceof FailedCall && isRetryable(error.failure),
      retryAfterMs: (error) => {
        const wait = (error as FailedCall).failure.retryAfterMs;
        return wait === undefined ? undefined : Math.min(wait, RETRY_MAX_MS);
      },
      onRetry: ({ error, attempt }) => {
        const { failure } = error as FailedCall;
        options.onRetry?.(
          `Kubernetes ${action.verb} ${action.resource} failed (${failure.status ?? failure.message}); retry ${attempt} of ${options.maxRetries}`,
        );
      },
    },
  ).catch((error: unknown) => {
    throw error instanceof FailedCall ? kubeError(error.failure, action) : error;
  });
}
