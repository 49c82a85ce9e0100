import { type Logger, type Sentry, SentryError } from '@sentry-git/core';
import { type RejectionLogClock, systemClock } from './rejection-log.js';
import { createTokenBook, READ_TOKEN_ENV, TOKEN_ENV, type TokenBook, type TokenEntry } from './tokens.js';

/** Options of `createServer()`; each defaults to the engine's `server` configuration block. */
export interface ServerOptions {
  /**
   * The admin bearer token (its actions are recorded as by `admin`). With any token configured,
   * every `/api/v1` route but the webhooks, and `/metrics`, need one; without an admin token,
   * actions over HTTP are refused (403).
   * @default sentry.config.server.token, else the SENTRY_GIT_API_TOKEN environment variable
   */
  token?: string;
  /**
   * The read-only bearer token (recorded as `read`): reads, the event stream and `/metrics`.
   * @default sentry.config.server.read_token, else the SENTRY_GIT_READ_TOKEN environment variable
   */
  readToken?: string;
  /**
   * Named tokens, each `admin` or `read`: the name is recorded as who acted.
   * @default sentry.config.server.tokens
   */
  tokens?: TokenEntry[];
  /**
   * The event stream (`GET /api/v1/events`): how many events the journal keeps for clients that
   * reconnect (`journalSize`), and the seconds between two `: ping` comments (`pingInterval`),
   * which keep proxies from closing a quiet stream.
   * @default { journalSize: 1000, pingInterval: 15 }
   */
  eventStream?: { journalSize?: number; pingInterval?: number };
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
   * Where SENTRY_GIT_API_TOKEN and SENTRY_GIT_READ_TOKEN are read when no token is configured.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedServerOptions {
  tokens: TokenBook;
  webhookSecret: string | undefined;
  bodyLimit: number;
  logger: Logger;
  defaultMetrics: boolean;
  webhookRejections: { summaryInterval: number; clock: RejectionLogClock };
  eventStream: { journalSize: number; pingIntervalMs: number };
}

/** Seconds between two summaries of refused webhooks. */
const DEFAULT_REJECTION_SUMMARY_INTERVAL = 60;
/** A day: longer would overflow a timer (2^31 ms) and leave floods unsummarised for too long. */
const MAX_REJECTION_SUMMARY_INTERVAL = 86_400;

/** Events the stream's journal keeps for reconnecting clients. */
const DEFAULT_JOURNAL_SIZE = 1_000;
/** Seconds between two `: ping` comments: below the idle timeouts of common proxies (60 s). */
const DEFAULT_PING_INTERVAL = 15;

export { READ_TOKEN_ENV, TOKEN_ENV };

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function invalidOption(name: string, value: unknown, expected: string): SentryError {
  return new SentryError(
    'SERVER_OPTIONS_INVALID',
    `createServer: option "${name}" must be ${expected} (got ${JSON.stringify(value)}).`,
    { fix: `pass ${expected}, or leave it out for the default.`, path: name },
  );
}

function eventStreamOptions(input: NonNullable<ServerOptions['eventStream']>) {
  const journalSize = input.journalSize ?? DEFAULT_JOURNAL_SIZE;
  if (!Number.isInteger(journalSize) || journalSize < 1) {
    throw invalidOption('eventStream.journalSize', journalSize, 'a whole number of events, at least 1');
  }
  const pingInterval = input.pingInterval ?? DEFAULT_PING_INTERVAL;
  if (!(typeof pingInterval === 'number' && pingInterval > 0 && pingInterval <= 3600)) {
    throw invalidOption(
      'eventStream.pingInterval',
      pingInterval,
      'a number of seconds above 0, at most 3600',
    );
  }
  return { journalSize, pingIntervalMs: pingInterval * 1000 };
}

/**
 * `token` is named `admin`, `read_token` `read`; each is read from the option, else the
 * configuration, else the environment. An empty string is no token: it would let an empty Bearer
 * credential through.
 */
function tokenBook(
  server: Sentry['config']['server'],
  options: ServerOptions,
  env: Readonly<Record<string, string | undefined>>,
): TokenBook {
  const admin = nonEmpty(options.token) ?? nonEmpty(server.token) ?? nonEmpty(env[TOKEN_ENV]);
  const read = nonEmpty(options.readToken) ?? nonEmpty(server.read_token) ?? nonEmpty(env[READ_TOKEN_ENV]);
  const entries: TokenEntry[] = [
    ...(admin ? [{ name: 'admin', token: admin, role: 'admin' as const }] : []),
    ...(read ? [{ name: 'read', token: read, role: 'read' as const }] : []),
    ...(options.tokens ?? server.tokens).filter((entry) => entry.token !== ''),
  ];
  return createTokenBook(entries);
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
    tokens: tokenBook(server, options, env),
    webhookSecret: nonEmpty(options.webhookSecret) ?? nonEmpty(server.webhook_secret),
    bodyLimit,
    logger: options.logger ?? sentry.logger,
    defaultMetrics: options.defaultMetrics ?? true,
    webhookRejections: { summaryInterval, clock: options.webhookRejections?.clock ?? systemClock },
    eventStream: eventStreamOptions(options.eventStream ?? {}),
  };
}
