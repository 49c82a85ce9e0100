import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** Prometheus exposition of this server's registry (text format, prom-client's content type). */
export function registerMetricsRoute(app: FastifyInstance, context: ServerContext): void {
  const { registry } = context.metrics;
  app.get('/metrics', { config: { access: 'read' } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
}
