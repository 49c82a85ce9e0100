import { SentryError } from '@sentry-git/core';
import { retry } from '@sentry-git/core/internal';
import { attempt } from './attempt.js';
import { deliveryIdFor } from './delivery-id.js';
import { rejectedError, unreachableError, withoutSecret } from './errors.js';
import { buildEventRequest } from './request.js';
import { answerMessage, parseAcceptedBody, retryAfterMs } from './response.js';
import { eventListenerTarget } from './target.js';
import type { DeliverEventOptions, DeliveryResult } from './types.js';

const DEFAULT_RETRY_BASE_MS = 1000;
const DEFAULT_RETRY_MAX_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new SentryError(
      'EVENTLISTENER_OPTIONS_INVALID',
      `deliverEvent: ${name} must be a whole number ≥ ${min}, got ${value}.`,
    );
  }
  return value;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * POSTs the job's event to a Tekton Triggers EventListener and returns what the sink answered.
 * A 202 means the listener took the event, not that anything was deployed: the interceptors run
 * afterwards, and only the PipelineRuns labelled with `eventId` tell the outcome.
 *
 * Connection errors, 429 (honouring Retry-After) and 5xx are retried up to `maxRetries` times
 * with the byte-identical request (same delivery id, same signature). Other answers that are not
 * 2xx throw `EVENTLISTENER_REJECTED`; running out of retries throws `EVENTLISTENER_UNREACHABLE`;
 * an abort of `signal` throws its reason.
 */
export async function deliverEvent(options: DeliverEventOptions): Promise<DeliveryResult> {
  const { format, job, signal, secret } = options;
  const maxRetries = checkCount('maxRetries', options.maxRetries, 0);
  const retryBaseMs = checkCount('retryBaseMs', options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, 0);
  const retryMaxMs = checkCount('retryMaxMs', options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS, 0);
  const timeoutMs = checkCount('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 1);
  const say = (text: string) => options.output?.('system', `${text}\n`);
  const target = eventListenerTarget(options.url);
  const deliveryId = deliveryIdFor(job.id);
  // Built once: every attempt must send the same bytes, or the signature and id would differ.
  const request = buildEventRequest(format, job, { secret, deliveryId });
  const headers = target.authorization
    ? { ...request.headers, Authorization: target.authorization }
    : request.headers;
  const allowed = maxRetries + 1;

  // What the last failed attempt met, for the retry's message and its wait.
  let problem = '';
  let waitMs: number | undefined;
  return retry(
    async ({ attempt: attempts }) => {
      signal.throwIfAborted();
      say(
        `Delivering ${format} event ${deliveryId} to ${target.printable} (attempt ${attempts} of ${allowed})`,
      );
      const outcome = await attempt({
        fetch: options.fetch ?? globalThis.fetch,
        url: target.url,
        headers,
        body: request.body,
        signal,
        timeoutMs,
      });

      waitMs = undefined;
      if (outcome.kind === 'answered') {
        const { status, text } = outcome;
        if (status >= 200 && status < 300) {
          const accepted = parseAcceptedBody(text);
          const who = accepted.eventListener
            ? `EventListener ${accepted.namespace ? `${accepted.namespace}/` : ''}${accepted.eventListener}`
            : 'EventListener';
          if (status !== 202) say(`${who} answered HTTP ${status}, not the 202 a Tekton Triggers sink sends`);
          say(
            accepted.eventId
              ? `${who} accepted event ${accepted.eventId} (delivery ${deliveryId})`
              : `${who} accepted delivery ${deliveryId} without an eventID: its PipelineRuns cannot be found by label`,
          );
          return { deliveryId, ...accepted, status, attempts };
        }
        const message = withoutSecret(answerMessage(text), secret);
        if (!isRetryable(status)) {
          const location = outcome.headers.get('location');
          throw rejectedError({ printable: target.printable, status, message, deliveryId, location });
        }
        problem = `answered HTTP ${status}${message ? ` (${message})` : ''}`;
        waitMs = retryAfterMs(outcome.headers.get('retry-after'));
      } else {
        problem = `unreachable: ${outcome.reason}`;
      }
      // EVENTLISTENER_UNREACHABLE is transient: retried until the attempts run out.
      throw unreachableError(target.printable, attempts, problem, deliveryId);
    },
    {
      retries: maxRetries,
      baseMs: retryBaseMs,
      maxMs: retryMaxMs,
      signal,
      retryAfterMs: () => waitMs,
      onRetry: ({ delayMs }) =>
        say(`EventListener ${problem}; retrying in ${seconds(delayMs)} with the same delivery id`),
    },
  );
}
