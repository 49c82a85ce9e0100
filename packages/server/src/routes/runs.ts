import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { runSummary } from '../run-summary.js';
import { nextPageLink, parseRunsQuery } from '../runs-query.js';

const RUNS_PATH = '/api/v1/runs';

/** The run history, read-only. */
export function registerRunRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sentry } = context;
  const read = { config: { access: 'read' as const } };

  app.get(RUNS_PATH, read, async (request, reply) => {
    const query = parseRunsQuery(request.query as Record<string, string | string[] | undefined>);
    // One more than asked tells whether a next page exists without a count query.
    const found = await sentry.store.listRuns({ ...query.filter, limit: query.filter.limit + 1 });
    const more = found.length > query.filter.limit;
    const next = more ? nextPageLink(RUNS_PATH, query) : null;
    if (next) reply.header('link', `<${next}>; rel="next"`);
    return {
      runs: found.slice(0, query.filter.limit).map(runSummary),
      limit: query.filter.limit,
      offset: query.filter.offset,
      next,
    };
  });

  app.get<{ Params: { id: string } }>(`${RUNS_PATH}/:id`, read, async (request) => {
    const run = await sentry.store.getRun(request.params.id);
    if (!run) {
      throw new HttpError(404, 'RUN_NOT_FOUND', `No run "${request.params.id}".`, {
        fix: `List the runs with GET ${RUNS_PATH}.`,
      });
    }
    return run;
  });
}
