import { signalWithDeadline } from '../abort.js';
import { errorMessage, SentryError } from '../errors.js';
import { splitUrlCredentials } from '../git/url.js';
import { retry } from '../retry.js';

/** First retry after about a second, doubling, never more than 30 s apart. */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** A receiver may ask for a later retry (Retry-After), but a summary is not kept in memory for hours. */
const RETRY_AFTER_MAX_MS = 5 * 60_000;
/** How much of a refusal's body goes into the error message. */
const ANSWER_SNIPPET = 200;

export interface Delivery {
  url: string;
  /** Printable name of the receiver for messages. */
  label: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  /** Aborted when the notifier detaches: no further attempt, the one in flight is cut. */
  signal: AbortSignal;
  fetch: typeof fetch;
}

export type DeliveryOutcome =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; status: number | null; error: Error };

interface Attempt {
  ok: boolean;
  status: number | null;
  error?: Error;
  retryable: boolean;
  /** The receiver's Retry-After, in ms. */
  retryAfterMs?: number;
}

/** A failed attempt, carried through `retry()` to decide about the next one. */
class FailedAttempt extends Error {
  constructor(readonly answer: Attempt) {
    super(answer.error?.message ?? 'delivery failed');
  }
}

function abandoned(label: string, reason: unknown, cause: unknown): SentryError {
  return new SentryError('NOTIFICATION_ABANDONED', `${label}: ${errorMessage(reason)}.`, { cause });
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms));
}

async function attempt(delivery: Delivery, url: string, headers: Record<string, string>): Promise<Attempt> {
  // The delivery's signal, plus the attempt's own time limit.
  const { signal, clear } = signalWithDeadline(
    delivery.signal,
    delivery.timeoutMs,
    `no answer within ${delivery.timeoutMs / 1000} s`,
  );
  try {
    // Redirects are not followed (as GitHub's webhooks do not): a POST turned into a GET is no delivery.
    const response = await delivery.fetch(url, {
      method: 'POST',
      headers,
      body: delivery.body,
      redirect: 'manual',
      signal,
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => {});
      return { ok: true, status: response.status, retryable: false };
    }
    const text = (await response.text().catch(() => '')).trim().slice(0, ANSWER_SNIPPET);
    const retryable = response.status === 429 || response.status >= 500;
    return {
      ok: false,
      status: response.status,
      retryable,
      retryAfterMs:
        response.status === 429 || response.status === 503
          ? parseRetryAfter(response.headers.get('retry-after'))
          : undefined,
      error: new SentryError(
        'NOTIFICATION_REJECTED',
        `${delivery.label} answered HTTP ${response.status}${text ? `: ${text}` : ''}.`,
        {
          fix: retryable
            ? 'Check that the receiver is up.'
            : 'Check the URL and what the receiver expects (a 3xx is not followed: configure the final URL).',
        },
      ),
    };
  } catch (error) {
    if (delivery.signal.aborted) {
      return {
        ok: false,
        status: null,
        retryable: false,
        error: abandoned(delivery.label, delivery.signal.reason, error),
      };
    }
    const timedOut = signal.aborted;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = timedOut
      ? errorMessage(signal.reason)
      : (cause?.code ?? cause?.message ?? errorMessage(error));
    return {
      ok: false,
      status: null,
      retryable: true,
      error: new SentryError(
        timedOut ? 'NOTIFICATION_TIMEOUT' : 'NOTIFICATION_UNREACHABLE',
        `${delivery.label} could not be reached: ${detail}.`,
        {
          fix: timedOut
            ? 'Make the receiver answer sooner (queue the work) or raise notifications.timeout.'
            : 'Check the URL and that the receiver is up and reachable from sentry-git.',
        },
      ),
    };
  } finally {
    clear();
  }
}

/**
 * POSTs one body to one receiver: retried on connection errors, timeouts, 429 and 5xx (after
 * Retry-After when the receiver sends one, else with backoff), never on other answers. Never
 * rejects: the outcome says how it ended.
 */
export async function deliver(delivery: Delivery): Promise<DeliveryOutcome> {
  let parsed: URL | undefined;
  try {
    parsed = new URL(delivery.url);
  } catch {
    // Reported below like a non-http URL.
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    const error = new SentryError('NOTIFICATION_URL_INVALID', `${delivery.label} is not an http(s) URL.`, {
      fix: 'Write an absolute URL such as https://hooks.example.com/deploys, or "" for none.',
    });
    return { ok: false, attempts: 0, status: null, error };
  }
  // fetch refuses URLs with credentials; send them as Basic auth, the way a browser would.
  const { url, username, password } = splitUrlCredentials(delivery.url);
  const headers = { ...delivery.headers };
  if (username !== undefined || password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
  }
  let attempts = 0;
  let last: Attempt | undefined;
  try {
    const answer = await retry(
      async ({ attempt: number }) => {
        attempts = number;
        const answer = await attempt(delivery, url, headers);
        last = answer;
        if (!answer.ok) throw new FailedAttempt(answer);
        return answer;
      },
      {
        retries: delivery.maxRetries,
        baseMs: RETRY_BASE_MS,
        maxMs: RETRY_MAX_MS,
        signal: delivery.signal,
        shouldRetry: (error) => error instanceof FailedAttempt && error.answer.retryable,
        retryAfterMs: (error) => (error as FailedAttempt).answer.retryAfterMs,
      },
    );
    return { ok: true, attempts, status: answer.status ?? 200 };
  } catch (error) {
    if (error instanceof FailedAttempt) {
      return { ok: false, attempts, status: error.answer.status, error: error.answer.error! };
    }
    // The signal fired: during an attempt (its answer already says abandoned) or during the wait
    // after a retryable one (abandoned, that answer as the cause).
    if (!last) throw error;
    return {
      ok: false,
      attempts,
      status: last.status,
      error: last.retryable ? abandoned(delivery.label, error, last.error) : last.error!,
    };
  }
}
