import type { FastifyInstance } from 'fastify';
import { parseCancelBody, parseEmptyBody } from '../action-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { runSummary } from '../run-summary.js';

interface RunAction {
  Params: { id: string };
}

/** Cancel and re-run one run; admin tokens only, each recorded and logged with who asked. */
export function registerRunActionRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sentry, options, guard } = context;
  const admin = { config: { access: 'admin' as const } };

  app.post<RunAction>('/api/v1/runs/:id/cancel', admin, async (request) => {
    const { reason } = parseCancelBody(request.body);
    const by = guard.actorOf(request).name;
    const { run, outcome } = await sentry.cancel(request.params.id, { by, ...(reason ? { reason } : {}) });
    if (outcome === 'finished') {
      throw new HttpError(
        409,
        'RUN_FINISHED',
        `Run "${run.id}" had already finished (${run.status}): nothing to cancel.`,
        {
          fix: 'Re-run it (POST /api/v1/runs/<id>/rerun), or deploy another commit.',
        },
      );
    }
    options.logger.info(
      { by, action: 'cancel', runId: run.id, outcome, reason: reason ?? null },
      `server: ${by} cancelled run ${run.id} (${outcome === 'cancelled' ? 'it was queued' : 'its jobs are being stopped'})`,
    );
    return { run: runSummary(run), outcome };
  });

  app.post<RunAction>('/api/v1/runs/:id/rerun', admin, async (request, reply) => {
    parseEmptyBody(request.body);
    const by = guard.actorOf(request).name;
    const run = await sentry.rerun(request.params.id, { by });
    options.logger.info(
      { by, action: 'rerun', runId: run.id, of: request.params.id },
      `server: ${by} re-ran run ${request.params.id} as ${run.id}`,
    );
    return reply.status(202).send({ run: runSummary(run) });
  });
}
