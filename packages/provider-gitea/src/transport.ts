import { isRetryableStatus } from '@sentry-git/core';
import { deadlineSignal, plainHeaders, retry } from '@sentry-git/core/internal';

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
 * The attempt's deadline ends once its body is read (gitea-js reads it after the transport
 * returned), so a server that stalls mid-body still times out, and a read body leaves no timer
 * and no listener on the caller's signal. `bytes()` counts as a read: core's `readDigested` takes
 * the body that way when the answer has it (the pooled fetch's does).
 */
function releaseAfterBody(response: Response, release: () => void): Response {
  const read =
    <T>(body: () => Promise<T>) =>
    (): Promise<T> =>
      body().finally(release);
  const { bytes } = response as { bytes?: () => Promise<Uint8Array> };
  return Object.assign(response, {
    json: read(response.json.bind(response)),
    text: read(response.text.bind(response)),
    arrayBuffer: read(response.arrayBuffer.bind(response)),
    ...(typeof bytes === 'function' ? { bytes: read(bytes.bind(response)) } : {}),
  });
}

/**
 * The fetch gitea-js sends with. It adds Gitea's `Authorization: token <t>` (gitea-js's own
 * `giteaApi()` would send `Bearer`, and only to `<origin>/api/v1`), bounds each attempt with a
 * timeout, and retries 5xx answers and network errors with exponential backoff. Other answers go
 * back to gitea-js unchanged (it throws non-2xx ones as the Response). The caller's signal ends
 * everything at once with its reason.
 *
 * The headers are a plain object built once per transport, not a `Headers` per request, and each
 * attempt's timeout is a `deadlineSignal` rather than `AbortSignal.any` over
 * `AbortSignal.timeout`: both showed per request in the bench profile of unchanged cycles.
 */
export function createTransport(options: TransportOptions): typeof fetch {
  const fixed: Record<string, string> = {
    accept: 'application/json',
    'user-agent': options.userAgent,
    ...(options.token ? { authorization: `token ${options.token}` } : {}),
  };
  return async function giteaFetch(input, init = {}) {
    const signal = init.signal ?? undefined;
    // Most requests bring no headers of their own (the direct GETs): they send the fixed ones as they are.
    const headers = init.headers ? { ...plainHeaders(init.headers), ...fixed } : fixed;

    return retry(
      async ({ attempt, retriesLeft }) => {
        signal?.throwIfAborted();
        const deadline = deadlineSignal(signal, options.requestTimeoutMs);
        let response: Response;
        try {
          response = await options.fetch(input, { ...init, headers, signal: deadline.signal });
        } catch (error) {
          deadline.dispose();
          if (signal?.aborted) throw signal.reason;
          throw new NetworkFailure(error, attempt);
        }
        // The last 5xx goes back to gitea-js, which throws it as the Response.
        if (isRetryableStatus(response.status) && retriesLeft > 0) {
          deadline.dispose();
          await response.body?.cancel().catch(() => undefined);
          throw new RetryableAnswer(`HTTP ${response.status}`);
        }
        // An attempt that runs on the caller's own deadline (it ends first: a poll's) has nothing
        // to release: the answer goes back as it came, without six functions wrapped around it.
        return deadline.signal === signal ? response : releaseAfterBody(response, deadline.dispose);
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
