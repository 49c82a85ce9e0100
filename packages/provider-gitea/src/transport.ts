import { isRetryableStatus } from '@sentry-git/core';
import { retry, timeoutSignal } from '@sentry-git/core/internal';

/** What the transport needs: credentials, retry policy and the fetch to send with. */
export interface TransportOptions {
  token: string | undefined;
  fetch: typeof fetch;
  retries: number;
  retryDelayMs: number;
  requestTimeoutMs: number;
  userAgent: string;
}

const MAX_DELAY_MS = 30_000;

/** Every attempt failed without an HTTP answer (refused, reset, DNS, timed out). */
export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
  readonly attempts: number;

  constructor(cause: unknown, attempts: number) {
    super(describeNetworkError(cause), { cause });
    this.attempts = attempts;
  }
}

/** `fetch failed` says little; the cause (ECONNREFUSED, a timeout) says what happened. */
function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'the request timed out';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string')
    return `${cause.code}${typeof cause.message === 'string' ? ` (${cause.message})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** A 5xx answer with retries left: its body is dropped and the request sent again. */
class RetryableAnswer extends Error {
  override readonly name = 'RetryableAnswer';
}

/**
 * The fetch gitea-js sends with. It adds Gitea's `Authorization: token <t>` (gitea-js's own
 * `giteaApi()` would send `Bearer`, and only to `<origin>/api/v1`), bounds each attempt with a
 * timeout, and retries 5xx answers and network errors with exponential backoff. Other answers go
 * back to gitea-js unchanged (it throws non-2xx ones as the Response). The caller's signal ends
 * everything at once with its reason.
 */
export function createTransport(options: TransportOptions): typeof fetch {
  return async function giteaFetch(input, init = {}) {
    const signal = init.signal ?? undefined;
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    headers.set('user-agent', options.userAgent);
    if (options.token) headers.set('authorization', `token ${options.token}`);

    return retry(
      async ({ attempt, retriesLeft }) => {
        signal?.throwIfAborted();
        const timeout = timeoutSignal(options.requestTimeoutMs);
        const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
        let response: Response;
        try {
          response = await options.fetch(input, { ...init, headers, signal: attemptSignal });
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw new NetworkFailure(error, attempt);
        }
        // The last 5xx goes back to gitea-js, which throws it as the Response.
        if (isRetryableStatus(response.status) && retriesLeft > 0) {
          await response.body?.cancel().catch(() => undefined);
          throw new RetryableAnswer(`HTTP ${response.status}`);
        }
        return response;
      },
      {
        retries: options.retries,
        baseMs: options.retryDelayMs,
        maxMs: MAX_DELAY_MS,
        signal,
        shouldRetry: (error) => error instanceof NetworkFailure || error instanceof RetryableAnswer,
      },
    );
  };
}
