import type { FastifyInstance } from 'fastify';
import { assertBearer } from '../bearer.js';
import type { ServerContext } from '../context.js';
import { parseTriggerBody } from '../trigger-body.js';

/**
 * `POST /api/v1/trigger`: queues runs at the last known heads and answers 202 at once, without
 * waiting for them. The token is checked before the body is read.
 */
export function registerTriggerRoute(app: FastifyInstance, context: ServerContext): void {
  const { sentry, options } = context;
  app.post('/api/v1/trigger', {
    onRequest: async (request) => assertBearer(request.headers.authorization, options.token),
    handler: async (request, reply) => {
      const selection = parseTriggerBody(request.body);
      const runs = await sentry.trigger({ ...selection, trigger: 'api' });
      options.logger.info(
        { runs: runs.map((run) => run.id), ...selection },
        `server: trigger queued ${runs.length} run${runs.length === 1 ? '' : 's'}`,
      );
      return reply.status(runs.length > 0 ? 202 : 200).send({
        runs: runs.map((run) => ({
          id: run.id,
          unit: run.unit,
          status: run.status,
          url: `/api/v1/runs/${run.id}`,
        })),
        ...(runs.length === 0
          ? { message: 'Nothing to deploy: no watched branch of the selection has a head.' }
          : {}),
      });
    },
  });
}
