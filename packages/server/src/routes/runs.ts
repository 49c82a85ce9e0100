import { type JobRecord, type RunRecord, stateWriteHealth } from '@sentry-git/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { nextPageLink, parseRunsQuery } from '../runs-query.js';

const RUNS_PATH = '/api/v1/runs';

/** A run as the list shows it: the jobs without their output tails (those are on `/runs/:id`). */
function summary(run: RunRecord): Omit<RunRecord, 'jobs'> & { jobs: Array<Omit<JobRecord, 'output'>> } {
  return { ...run, jobs: run.jobs.map(({ output: _output, ...job }) => job) };
}

/** The engine's status and the run history, read-only. */
export function registerRunRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sentry } = context;

  app.get('/api/v1/status', async () => ({
    repositories: await sentry.status(),
    // Whether the store records: a failed write stops every deploy until one succeeds.
    stateStore: { id: sentry.store.id, ...(stateWriteHealth(sentry.store) ?? { writable: true }) },
  }));

  app.get(RUNS_PATH, async (request, reply) => {
    const query = parseRunsQuery(request.query as Record<string, string | string[] | undefined>);
    // One more than asked tells whether a next page exists without a count query.
    const found = await sentry.store.listRuns({ ...query.filter, limit: query.filter.limit + 1 });
    const more = found.length > query.filter.limit;
    const next = more ? nextPageLink(RUNS_PATH, query) : null;
    if (next) reply.header('link', `<${next}>; rel="next"`);
    return {
      runs: found.slice(0, query.filter.limit).map(summary),
      limit: query.filter.limit,
      offset: query.filter.offset,
      next,
    };
  });

  app.get<{ Params: { id: string } }>(`${RUNS_PATH}/:id`, async (request) => {
    const run = await sentry.store.getRun(request.params.id);
    if (!run) {
      throw new HttpError(404, 'RUN_NOT_FOUND', `No run "${request.params.id}".`, {
        fix: `List the runs with GET ${RUNS_PATH}.`,
      });
    }
    return run;
  });
}
