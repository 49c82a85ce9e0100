import { errorMessage, type NoticeChannel, type ReplicaNotice } from '@sentry-git/core';
import { decodeNotice, encodeNotice, timerDelay } from '@sentry-git/core/internal';
import pg from 'pg';

/** The channel every replica of a database NOTIFYs and LISTENs on. */
export const NOTICE_CHANNEL = 'sentry_git_events';

/** The first wait before listening again after a lost connection, and the longest. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;

export interface PostgresNotices extends NoticeChannel {
  /** Stops listening (the store closes). */
  close(): Promise<void>;
}

/**
 * Replicas' notices on PostgreSQL LISTEN/NOTIFY: `pg_notify` through the pool to publish; one
 * dedicated connection, opened on the first subscription, LISTENs. When that connection is lost
 * (a server restart, a dropped network) it connects and listens again, waiting longer after each
 * failure up to 10 s; notices sent meanwhile are missed, never replayed. A notice too large for
 * NOTIFY (see `encodeNotice`) is not sent.
 */
export function postgresNotices(url: string, pool: pg.Pool, assertOpen: () => void): PostgresNotices {
  const handlers = new Set<(notice: ReplicaNotice) => void>();
  const problems = new Set<(message: string | undefined) => void>();
  let failing = false;
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let retryMs = RETRY_FIRST_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function hear(message: pg.Notification): void {
    if (message.channel !== NOTICE_CHANNEL || message.payload === undefined) return;
    const notice = decodeNotice(message.payload);
    if (!notice) return;
    for (const handler of handlers) handler(notice);
  }

  function onProblem(message: string | undefined): void {
    if (message === undefined && !failing) return;
    failing = message !== undefined;
    for (const problem of problems) problem(message);
  }

  function lost(lostClient: pg.Client, error?: Error): void {
    if (client !== lostClient) return;
    client = undefined;
    lostClient.end().catch(() => undefined);
    if (closed) return;
    onProblem(`lost its connection for replicas' events${error ? `: ${error.message}` : ''}`);
    retryLater();
  }

  function retryLater(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void listen();
    }, timerDelay(retryMs));
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function listen(): Promise<void> {
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: url });
      // Without listeners an error on the connection would end the process.
      next.on('error', (error) => lost(next, error));
      next.on('end', () => lost(next));
      next.on('notification', hear);
      try {
        await next.connect();
        await next.query(`LISTEN ${NOTICE_CHANNEL}`);
        if (closed) {
          await next.end();
          return;
        }
        client = next;
        retryMs = RETRY_FIRST_MS;
        onProblem(undefined);
      } catch (error) {
        next.removeAllListeners('end');
        await next.end().catch(() => undefined);
        if (!closed) {
          onProblem(`cannot listen for replicas' events: ${errorMessage(error)}`);
          retryLater();
        }
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    async publish(notice) {
      assertOpen();
      const payload = encodeNotice(notice);
      if (payload === undefined) return;
      await pool.query('SELECT pg_notify($1, $2)', [NOTICE_CHANNEL, payload]);
    },
    async subscribe(handler, problem) {
      assertOpen();
      handlers.add(handler);
      if (problem) problems.add(problem);
      if (!client) await listen();
      return () => {
        handlers.delete(handler);
        if (problem) problems.delete(problem);
      };
    },
    async close() {
      closed = true;
      handlers.clear();
      problems.clear();
      if (retryTimer) clearTimeout(retryTimer);
      await connecting;
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
