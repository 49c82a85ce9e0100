import { type PauseRecord, stateWriteHealth } from '@sentry-git/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';

type RawQuery = Record<string, string | string[] | undefined>;

/** `?repository=a&repository=b` (or `a,b`): the repositories `plan` reads; none = every one. */
function planRepositories(query: RawQuery): string[] | undefined {
  const unknown = Object.keys(query).filter((key) => key !== 'repository');
  if (unknown.length > 0) {
    throw new HttpError(400, 'INVALID_QUERY', `Unknown query parameter "${unknown[0]}".`, {
      fix: 'Use repository=<name>, repeated for several.',
    });
  }
  const value = query.repository;
  if (value === undefined) return undefined;
  const names = (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new HttpError(400, 'INVALID_QUERY', 'Query parameter "repository" is empty.', {
      fix: 'Give it a repository name, or leave it out to plan every repository.',
    });
  }
  return names;
}

/** The engine's state, its pauses and the dry run: reads only. */
export function registerStatusRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sentry } = context;
  const read = { config: { access: 'read' as const } };

  app.get('/api/v1/status', read, async () => {
    const [repositories, pauses] = await Promise.all([sentry.status(), sentry.pauses()]);
    const pauseOf = new Map<string, PauseRecord>(pauses.map((pause) => [pause.unit, pause]));
    const groups = Object.entries(sentry.config.groups).map(([name, group]) => ({
      name,
      strategy: group.execution_strategy,
      maxParallel: group.max_parallel,
      continueOnError: group.continue_on_error,
      repositories: sentry.config.repositories.filter((repo) => repo.group === name).map((repo) => repo.name),
      paused: pauseOf.get(`group:${name}`) ?? null,
    }));
    const { replica } = sentry;
    return {
      repositories,
      groups,
      // Whether the store records: a failed write stops every deploy until one succeeds.
      stateStore: { id: sentry.store.id, ...(stateWriteHealth(sentry.store) ?? { writable: true }) },
      ...(replica ? { replica: { id: replica.id, live: replica.live() } } : {}),
    };
  });

  app.get('/api/v1/pauses', read, async () => ({ pauses: await sentry.pauses() }));

  app.get<{ Querystring: RawQuery }>('/api/v1/plan', read, async (request) => {
    const repositories = planRepositories(request.query);
    return sentry.plan(repositories ? { repositories } : {});
  });
}
