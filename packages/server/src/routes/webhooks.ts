import { errorMessage } from '@sentry-git/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { toHttpError } from '../error-handler.js';
import { HttpError } from '../http-error.js';
import { createRejectionLog } from '../rejection-log.js';
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
  // Anyone can post here: refusals are counted exactly, but logged only in bounded numbers.
  const rejections = createRejectionLog({
    logger: options.logger,
    intervalMs: options.webhookRejections.summaryInterval * 1000,
    clock: options.webhookRejections.clock,
  });
  const providerLabel = (provider: string) =>
    installedProviders(sentry.registry).has(provider) ? provider : 'unknown';

  function reject(provider: string, error: HttpError): void {
    const label = providerLabel(provider);
    metrics.webhooks.inc({ provider: label, outcome: 'rejected' });
    metrics.webhookRejections.inc({ provider: label, reason: error.code });
    rejections.note({ reason: error.code, provider, message: sentry.redactor.redact(error.message) });
  }

  // Its own scope: signatures cover the exact bytes, so every content type is kept as a Buffer.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // fastify's own refusals before the handler runs (a body over the limit, a bad length) count too.
    scope.addHook('onError', async (request, _reply, error) => {
      if (error instanceof HttpError) return;
      const refusal = toHttpError(error, options.bodyLimit);
      const { provider } = request.params as { provider?: string };
      if (refusal && provider !== undefined) reject(provider, refusal);
    });
    scope.addHook('onClose', async () => rejections.close());

    scope.post<{ Params: { provider: string } }>(
      '/webhooks/:provider',
      { config: { access: 'open' } },
      async (request, reply) => {
        const provider = request.params.provider;
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const outcome = resolve(provider, request.headers, rawBody);
        const label = providerLabel(provider);
        if (outcome.kind === 'rejected') {
          reject(provider, outcome.error);
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
        // The push rides along (not a deletion): the comparison it needs starts beside the poll's request.
        const pushed = push.after ? { branch: push.branch, after: push.after } : undefined;
        sentry
          .pollOnce({ repositories, trigger: 'webhook', ...(pushed ? { pushed } : {}) })
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
      },
    );
  });
}
