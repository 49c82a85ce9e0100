import type { AddressInfo } from 'node:net';
import { errorMessage, type Sentry, SentryError, stateWriteHealth } from '@sentry-git/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { installGuard } from './auth.js';
import type { ServerContext } from './context.js';
import { installErrorHandlers } from './error-handler.js';
import { createEventJournal } from './event-journal.js';
import { HttpError } from './http-error.js';
import { createLiveStreams } from './live-streams.js';
import { exposureWarning } from './loopback.js';
import { createMetrics } from './metrics.js';
import { attachMetrics } from './metrics-subscriber.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { trackPollCycles } from './readiness.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerEventsRoute } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerJobLogRoute } from './routes/job-log.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerRunActionRoutes } from './routes/run-actions.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerStatusRoutes } from './routes/status.js';
import { registerTriggerRoute } from './routes/trigger.js';
import { registerUnitActionRoutes } from './routes/unit-actions.js';
import { registerWebhookRoute } from './routes/webhooks.js';
import { registerWhoamiRoute } from './routes/whoami.js';
import { trackUnusedSockets } from './unused-sockets.js';

export interface ListenOptions {
  /** @default sentry.config.server.port, else 0 (any free port) */
  port?: number;
  /** @default sentry.config.server.host ('0.0.0.0') */
  host?: string;
}

export interface SentryServer {
  /** The fastify instance: add routes or hooks before `listen()`. */
  readonly app: FastifyInstance;
  /** Starts listening; resolves with the base URL (e.g. `http://127.0.0.1:8080`). */
  listen(options?: ListenOptions): Promise<{ url: string }>;
  /**
   * Stops accepting connections, ends the open event streams and followed logs, waits for the
   * requests in flight, and unsubscribes from the engine's events. The engine itself keeps
   * running (close it with `sentry.close()`). Idempotent.
   */
  close(): Promise<void>;
}

function baseUrl(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return `http://${address ?? 'localhost'}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The HTTP face of an engine: probes, Prometheus metrics, the status, runs and control API behind
 * bearer tokens, the event stream, live job logs and the webhook receiver. Metrics, readiness
 * and the event journal subscribe to the engine's events from now on; nothing is wired into the
 * engine by hand.
 */
export function createServer(sentry: Sentry, serverOptions: ServerOptions = {}): SentryServer {
  const options = resolveServerOptions(sentry, serverOptions);
  // Tokens given to createServer itself never went through the configuration's secret collection.
  sentry.redactor.add(
    serverOptions.token,
    serverOptions.readToken,
    ...(serverOptions.tokens ?? []).map((entry) => entry.token),
  );
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics });
  const polls = trackPollCycles(sentry.bus);
  const detachMetrics = attachMetrics({
    bus: sentry.bus,
    config: sentry.config,
    registry: sentry.registry,
    metrics,
    writeHealth: stateWriteHealth(sentry.store),
    replica: sentry.replica,
  });
  const journal = createEventJournal(sentry.bus, options.eventStream.journalSize, sentry.replica);
  const streams = createLiveStreams();

  // Request lines stay out of the log: probes and scrapes every few seconds would drown it.
  // fastify's own 503 while closing is not our JSON error shape: the onRequest hook answers instead.
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit, return503OnClosing: false });
  const unusedSockets = trackUnusedSockets(app.server);
  let closing: Promise<void> | undefined;
  app.addHook('onRequest', async () => {
    if (closing) {
      throw new HttpError(503, 'SERVER_CLOSING', 'The server is shutting down.', {
        fix: 'Retry once it has restarted.',
      });
    }
  });
  // Once closing, answers end their connection: a keep-alive client (a Prometheus scraper) would
  // otherwise hold close() for the whole keep-alive timeout.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  installErrorHandlers(app, {
    redactor: sentry.redactor,
    logger: options.logger,
    bodyLimit: options.bodyLimit,
  });
  // Before any route: every route, the webhooks' scope too, is guarded.
  const guard = installGuard(app, options.tokens);
  const context: ServerContext = {
    sentry,
    options,
    metrics,
    guard,
    journal,
    streams,
    lastPollFinishedAt: polls.lastFinishedAt,
    startedAt: Date.now(),
  };
  for (const register of [
    registerHealthRoutes,
    registerMetricsRoute,
    registerWhoamiRoute,
    registerStatusRoutes,
    registerRunRoutes,
    registerJobLogRoute,
    registerEventsRoute,
    registerTriggerRoute,
    registerRunActionRoutes,
    registerUnitActionRoutes,
    registerWebhookRoute,
    registerConsoleRoutes,
  ]) {
    register(app, context);
  }

  return {
    app,
    async listen(listenOptions = {}) {
      const port = listenOptions.port ?? sentry.config.server.port ?? 0;
      const host = listenOptions.host ?? sentry.config.server.host;
      try {
        await app.listen({ port, host });
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new SentryError(
          'SERVER_LISTEN_FAILED',
          `The server cannot listen on ${host}:${port}: ${errorMessage(error)}`,
          {
            fix:
              code === 'EADDRINUSE'
                ? 'Choose another port (--port or server.port), or stop the process that holds it.'
                : 'Check server.host and server.port (--host, --port).',
            cause: error,
          },
        );
      }
      const warning = exposureWarning(host, options.tokens.configured);
      if (warning) options.logger.warn({ host, port }, warning);
      return { url: baseUrl(app.server.address()) };
    },
    close() {
      closing ??= (async () => {
        // Answers already past onSend: their connection closes as soon as it turns idle.
        app.server.keepAliveTimeout = 1;
        // Event streams and followed logs never end by themselves: end them, or close() waits.
        streams.closeAll();
        unusedSockets.destroyAll();
        try {
          await app.close();
        } finally {
          journal.close();
          detachMetrics();
          polls.detach();
          metrics.registry.clear();
        }
      })();
      return closing;
    },
  };
}
