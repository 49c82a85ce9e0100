import type { AddressInfo } from 'node:net';
import { errorMessage, type Sentry, SentryError, stateWriteHealth } from '@sentry-git/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { installErrorHandlers } from './error-handler.js';
import { HttpError } from './http-error.js';
import { createMetrics } from './metrics.js';
import { attachMetrics } from './metrics-subscriber.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { trackPollCycles } from './readiness.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerTriggerRoute } from './routes/trigger.js';
import { registerWebhookRoute } from './routes/webhooks.js';

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
   * Stops accepting connections, waits for the requests in flight, and unsubscribes from the
   * engine's events. The engine itself keeps running (close it with `sentry.close()`). Idempotent.
   */
  close(): Promise<void>;
}

function baseUrl(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return `http://${address ?? 'localhost'}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The HTTP face of an engine: probes, Prometheus metrics, the status and runs API, the
 * authenticated trigger and the webhook receiver. Metrics and readiness subscribe to the
 * engine's events from now on; nothing is wired into the engine by hand.
 */
export function createServer(sentry: Sentry, serverOptions: ServerOptions = {}): SentryServer {
  const options = resolveServerOptions(sentry, serverOptions);
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
  const context: ServerContext = {
    sentry,
    options,
    metrics,
    lastPollFinishedAt: polls.lastFinishedAt,
    startedAt: Date.now(),
  };

  // Request lines stay out of the log: probes and scrapes every few seconds would drown it.
  // fastify's own 503 while closing is not our JSON error shape: the onRequest hook answers instead.
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit, return503OnClosing: false });
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
  registerHealthRoutes(app, context);
  registerMetricsRoute(app, context);
  registerRunRoutes(app, context);
  registerTriggerRoute(app, context);
  registerWebhookRoute(app, context);
  registerConsoleRoutes(app);

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
      return { url: baseUrl(app.server.address()) };
    },
    close() {
      closing ??= (async () => {
        // Answers already past onSend: their connection closes as soon as it turns idle.
        app.server.keepAliveTimeout = 1;
        try {
          await app.close();
        } finally {
          detachMetrics();
          polls.detach();
          metrics.registry.clear();
        }
      })();
      return closing;
    },
  };
}
