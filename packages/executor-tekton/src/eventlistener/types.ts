import type { EventPayloadFormat, Job } from '@sentry-git/core';

export interface DeliverEventOptions {
  /** The EventListener's address; user info in it becomes an `Authorization: Basic` header. */
  url: string;
  format: EventPayloadFormat;
  /** GitHub HMAC key (github, cloudevents) or GitLab token (gitlab). Never printed. */
  secret?: string;
  job: Job;
  signal: AbortSignal;
  /** Retries on connection errors, 429 and 5xx (so at most `maxRetries + 1` attempts). */
  maxRetries: number;
  /** One line per attempt, retry and answer. */
  output?: (stream: 'system', text: string) => void;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * First retry delay in milliseconds; it doubles per retry (with jitter) up to `retryMaxMs`.
   * A `Retry-After` answer overrides it.
   * @default 1000
   */
  retryBaseMs?: number;
  /** @default 30000 */
  retryMaxMs?: number;
  /**
   * How long one attempt may wait for an answer before it counts as a connection failure.
   * The sink answers at once, so a silent one is stuck, not busy.
   * @default 30000
   */
  requestTimeoutMs?: number;
}

export interface DeliveryResult {
  /** The same for every attempt of this job, also after a restart (derived from the job id). */
  deliveryId: string;
  /** From the 202 body; null when the answer had none. */
  eventId: string | null;
  eventListener?: string;
  namespace?: string;
  eventListenerUid?: string;
  status: number;
  attempts: number;
}

/** The exact bytes sent: every attempt reuses them, so a signature stays valid. */
export interface EventRequest {
  headers: Record<string, string>;
  body: string;
}

export interface BuildEventRequestOptions {
  secret?: string;
  deliveryId: string;
  /** The event's time (head commit timestamp, ce-time, detection time). @default new Date() */
  now?: Date;
}
