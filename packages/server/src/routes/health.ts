import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { pollIntervalSeconds, pollStaleness, storeProblem, storeWriteProblem } from '../readiness.js';

/**
 * Liveness and readiness. Neither calls a forge (the original Sentry's probes spent API quota):
 * readiness reads the state store once, the outcome of its last write and the time of the last
 * poll cycle.
 */
export function registerHealthRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sentry } = context;
  const intervalSeconds = pollIntervalSeconds(sentry.config);

  app.get('/healthz', { config: { access: 'open' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'open' } }, async (_request, reply) => {
    // The engine exists, so its configuration was loaded and validated.
    const reasons = [
      await storeProblem(sentry.store),
      storeWriteProblem(sentry.store),
      pollStaleness({
        lastFinishedAt: context.lastPollFinishedAt(),
        startedAt: context.startedAt,
        intervalSeconds,
        now: Date.now(),
      }),
    ]
      .filter((reason): reason is string => reason !== undefined)
      .map((reason) => sentry.redactor.redact(reason));
    const lastFinishedAt = context.lastPollFinishedAt();
    const lastPollAt = lastFinishedAt === undefined ? null : new Date(lastFinishedAt).toISOString();
    if (reasons.length > 0) return reply.status(503).send({ status: 'unavailable', reasons, lastPollAt });
    return { status: 'ok', lastPollAt };
  });
}
