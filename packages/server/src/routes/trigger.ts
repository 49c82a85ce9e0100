import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { parseTriggerBody } from '../trigger-body.js';

/**
 * `POST /api/v1/trigger`: queues runs at the last known heads and answers 202 at once, without
 * waiting for them. Admin tokens only (checked before the body is read); the token's name is
 * recorded as who asked.
 */
export function registerTriggerRoute(app: FastifyInstance, context: ServerContext): void {
  const { sentry, options, guard } = context;
  app.post('/api/v1/trigger', {
    config: { access: 'admin' },
    handler: async (request, reply) => {
      const selection = parseTriggerBody(request.body);
      const by = guard.actorOf(request).name;
      const runs = await sentry.trigger({ ...selection, trigger: 'api', by });
      options.logger.info(
        { by, action: 'trigger', runs: runs.map((run) => run.id), ...selection },
        `server: ${by} triggered: ${runs.length} run${runs.length === 1 ? '' : 's'} queued`,
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
