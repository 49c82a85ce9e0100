import { errorMessage } from '@sentry-git/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { createWebhookResolver, installedProviders } from '../webhook-resolver.js';

/**
 * `POST /webhooks/:provider`: a verified push polls the repositories it names at once. The
 * webhook is only a hint: the poll reads the heads from the forge, so a SHA a later poll sees
 * again deploys nothing more, and a forged or replayed body can at most cause one extra poll.
 */
export function registerWebhookRoute(app: FastifyInstance, context: ServerContext): void {
  const { sentry, options, metrics } = context;
  const resolve = createWebhookResolver({
    config: sentry.config,
    registry: sentry.registry,
    serverSecret: options.webhookSecret,
  });

  // Its own scope: signatures cover the exact bytes, so every content type is kept as a Buffer.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { provider: string } }>('/webhooks/:provider', async (request, reply) => {
      const provider = request.params.provider;
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = resolve(provider, request.headers, rawBody);
      const label = installedProviders(sentry.registry).has(provider) ? provider : 'unknown';
      if (outcome.kind === 'rejected') {
        metrics.webhooks.inc({ provider: label, outcome: 'rejected' });
        options.logger.warn({ provider, code: outcome.error.code }, `server: ${outcome.error.message}`);
        throw outcome.error;
      }
      if (outcome.kind === 'ignored') {
        metrics.webhooks.inc({ provider: label, outcome: 'ignored' });
        options.logger.debug({ provider }, `server: webhook ignored: ${outcome.reason}`);
        return reply
          .status(outcome.status)
          .send({ accepted: false, reason: sentry.redactor.redact(outcome.reason) });
      }
      metrics.webhooks.inc({ provider: label, outcome: 'accepted' });
      const { repositories, push } = outcome;
      options.logger.info(
        { provider, repositories, branch: push.branch, after: push.after },
        `server: webhook push to ${push.branch}: polling ${repositories.join(', ')}`,
      );
      // Not awaited: the forge wants its answer within seconds, and the poll takes round trips to it.
      sentry
        .pollOnce({ repositories, trigger: 'webhook' })
        .catch((error: unknown) =>
          options.logger.warn(
            { provider, repositories },
            `server: poll after a webhook failed: ${sentry.redactor.redact(errorMessage(error))}`,
          ),
        );
      return reply.status(202).send({
        accepted: true,
        repository: repositories[0],
        repositories,
        branch: push.branch,
        after: push.after,
      });
    });
  });
}
