import { errorMessage, type JobRecord } from '@sentry-git/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';

const TEXT = 'text/plain; charset=utf-8';

interface LogRoute {
  Params: { id: string; job: string };
  Querystring: Record<string, string | string[] | undefined>;
}

/** `?follow=1|true|0|false`; any other parameter is refused, like every query of the API. */
function followOf(query: LogRoute['Querystring']): boolean {
  const unknown = Object.keys(query).filter((key) => key !== 'follow');
  if (unknown.length > 0) {
    throw new HttpError(400, 'INVALID_QUERY', `Unknown query parameter "${unknown[0]}".`, {
      fix: 'Use only follow=1 (stream the output until the job ends).',
    });
  }
  const value = query.follow;
  if (value === undefined) return false;
  const text = Array.isArray(value) ? value.at(-1) : value;
  if (text === '1' || text === 'true' || text === '') return true;
  if (text === '0' || text === 'false') return false;
  throw new HttpError(400, 'INVALID_QUERY', `Query parameter "follow" has the unknown value "${text}".`, {
    fix: 'Use follow=1 or follow=0.',
  });
}

/** The job by id, or by repository name when the run has exactly one job of it. */
function findJob(jobs: JobRecord[], key: string, runId: string): JobRecord {
  const byId = jobs.find((job) => job.id === key);
  if (byId) return byId;
  const byRepository = jobs.filter((job) => job.repository === key);
  if (byRepository.length === 1) return byRepository[0]!;
  const known = jobs.map((job) => `${job.id} (${job.repository} ${job.branch})`).join(', ');
  throw new HttpError(
    404,
    'JOB_NOT_FOUND',
    byRepository.length > 1
      ? `Run "${runId}" has ${byRepository.length} jobs of "${key}": name one by its id.`
      : `Run "${runId}" has no job "${key}".`,
    { fix: `Its jobs: ${known || 'none'}.` },
  );
}

/**
 * `GET /api/v1/runs/:id/jobs/:job/log`: a job's output as plain text (redacted). With
 * `?follow=1` the answer stays open: the output so far, then new text as the job prints it,
 * ending when the job finishes (or the client goes, or the server closes).
 */
export function registerJobLogRoute(app: FastifyInstance, context: ServerContext): void {
  const { sentry, streams, options } = context;
  app.get<LogRoute>(
    '/api/v1/runs/:id/jobs/:job/log',
    { config: { access: 'read' } },
    async (request, reply) => {
      const follow = followOf(request.query);
      const run = await sentry.store.getRun(request.params.id);
      if (!run) {
        throw new HttpError(404, 'RUN_NOT_FOUND', `No run "${request.params.id}".`, {
          fix: 'List the runs with GET /api/v1/runs.',
        });
      }
      const job = findJob(run.jobs, request.params.job, run.id);
      if (!follow) return reply.type(TEXT).header('cache-control', 'no-store').send(job.output);

      const live = streams.open(reply, {
        'content-type': TEXT,
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      void (async () => {
        try {
          for await (const chunk of sentry.followJob(run.id, job.id, { signal: live.signal })) {
            if (!live.write(chunk)) await live.drained();
          }
          live.end();
        } catch (error) {
          if (live.signal.aborted) return;
          options.logger.warn(
            { runId: run.id, jobId: job.id },
            `server: following the log of ${run.id}/${job.id} failed: ${sentry.redactor.redact(errorMessage(error))}`,
          );
          // Broken off, not ended: the client must not take a partial log for a finished job.
          live.destroy();
        }
      })();
    },
  );
}
