import { type Logger, type Sentry, SentryError } from '@sentry-git/core';
import { type RejectionLogClock, systemClock } from './rejection-log.js';

/** Options of `createServer()`; each defaults to the engine's `server` configuration block. */
export interface ServerOptions {
  /**
   * Bearer token `POST /api/v1/trigger` requires. Without one, triggering over HTTP is refused (403).
   * @default sentry.config.server.token, else the SENTRY_GIT_API_TOKEN environment variable
   */
  token?: string;
  /**
   * Secret of push webhooks for repositories without their own `monitor.webhook_secret`.
   * @default sentry.config.server.webhook_secret
   */
  webhookSecret?: string;
  /**
   * Largest request body accepted, in bytes (413 above).
   * @default sentry.config.server.body_limit (1 MiB)
   */
  bodyLimit?: number;
  /**
   * Where the server logs (pino-like). Request lines are not logged: probes would flood the log.
   * @default sentry.logger
   */
  logger?: Logger;
  /**
   * Add prom-client's default Node.js process metrics to `/metrics`. They watch garbage collection
   * and the event loop for the life of the process, so a program running many servers may turn
   * them off.
   * @default true
   */
  defaultMetrics?: boolean;
  /**
   * How refused webhooks are logged: the first of each reason in full, then one summary line per
   * `summaryInterval` seconds while they keep coming, so no caller can fill the disk. `clock`
   * replaces the real time and timer (tests move it by hand).
   * @default { summaryInterval: 60 }
   */
  webhookRejections?: { summaryInterval?: number; clock?: RejectionLogClock };
  /**
   * Where SENTRY_GIT_API_TOKEN is read when no token is configured.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedServerOptions {
  token: string | undefined;
  webhookSecret: string | undefined;
  bodyLimit: number;
  logger: Logger;
  defaultMetrics: boolean;
  webhookRejections: { summaryInterval: number; clock: RejectionLogClock };
}

/** Seconds between two summaries of refused webhooks. */
const DEFAULT_REJECTION_SUMMARY_INTERVAL = 60;
/** A day: longer would overflow a timer (2^31 ms) and leave floods unsummarised for too long. */
const MAX_REJECTION_SUMMARY_INTERVAL = 86_400;

/** The environment variable that holds the trigger token when the configuration has none. */
export const TOKEN_ENV = 'SENTRY_GIT_API_TOKEN';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function resolveServerOptions(sentry: Sentry, options: ServerOptions): ResolvedServerOptions {
  const server = sentry.config.server;
  const bodyLimit = options.bodyLimit ?? server.body_limit;
  if (!Number.isInteger(bodyLimit) || bodyLimit <= 0) {
    throw new SentryError(
      'SERVER_OPTIONS_INVALID',
      `createServer: option "bodyLimit" must be a positive whole number of bytes (got ${JSON.stringify(bodyLimit)}).`,
      { fix: 'pass a positive integer, or leave it out for server.body_limit.', path: 'bodyLimit' },
    );
  }
  const summaryInterval = options.webhookRejections?.summaryInterval ?? DEFAULT_REJECTION_SUMMARY_INTERVAL;
  if (
    !(
      typeof summaryInterval === 'number' &&
      summaryInterval > 0 &&
      summaryInterval <= MAX_REJECTION_SUMMARY_INTERVAL
    )
  ) {
    throw new SentryError(
      'SERVER_OPTIONS_INVALID',
      `createServer: option "webhookRejections.summaryInterval" must be a number of seconds above 0 and at most ${MAX_REJECTION_SUMMARY_INTERVAL} (got ${JSON.stringify(summaryInterval)}).`,
      {
        fix: 'pass a number of seconds in that range, or leave it out for 60 s.',
        path: 'webhookRejections.summaryInterval',
      },
    );
  }
  const env = options.env ?? process.env;
  return {
    // An empty string is no token: it would let an empty Bearer credential through.
    token: nonEmpty(options.token) ?? nonEmpty(server.token) ?? nonEmpty(env[TOKEN_ENV]),
    webhookSecret: nonEmpty(options.webhookSecret) ?? nonEmpty(server.webhook_secret),
    bodyLimit,
    logger: options.logger ?? sentry.logger,
    defaultMetrics: options.defaultMetrics ?? true,
    webhookRejections: { summaryInterval, clock: options.webhookRejections?.clock ?? systemClock },
  };
}
