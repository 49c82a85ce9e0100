import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** `GET /api/v1/whoami`: the token's name and role (`anonymous` when no token is configured). */
export function registerWhoamiRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/api/v1/whoami', { config: { access: 'read' } }, async (request) => {
    const { name, role } = context.guard.actorOf(request);
    return { name, role };
  });
}
