import type { FastifyInstance } from 'fastify';
import { parseDeployBody, parseTargetBody } from '../action-body.js';
import type { ServerContext } from '../context.js';
import { runSummary } from '../run-summary.js';

function describe(target: { repository: string } | { group: string }): string {
  return 'group' in target ? `group ${target.group}` : `repository ${target.repository}`;
}

/** Deploy a chosen commit, pause and resume a unit; admin tokens only, logged with who asked. */
export function registerUnitActionRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sentry, options, guard } = context;
  const admin = { config: { access: 'admin' as const } };

  app.post('/api/v1/deploy', admin, async (request, reply) => {
    const deploy = parseDeployBody(request.body);
    const by = guard.actorOf(request).name;
    const run = await sentry.deploy({ ...deploy, by });
    const at = run.jobs[0]?.sha ?? deploy.sha ?? 'its head';
    options.logger.info(
      { by, action: 'deploy', runId: run.id, ...deploy },
      `server: ${by} queued a deploy of ${deploy.repository} ${deploy.branch} at ${at} (run ${run.id})`,
    );
    return reply.status(202).send({ run: runSummary(run) });
  });

  app.post('/api/v1/pause', admin, async (request) => {
    const { target, reason } = parseTargetBody(request.body, true);
    const by = guard.actorOf(request).name;
    const pause = await sentry.pause(target, { by, ...(reason ? { reason } : {}) });
    options.logger.info(
      { by, action: 'pause', unit: pause.unit, reason: pause.reason },
      `server: ${by} paused ${describe(target)}${pause.reason ? `: ${pause.reason}` : ''}`,
    );
    return { pause };
  });

  app.post('/api/v1/resume', admin, async (request) => {
    const { target } = parseTargetBody(request.body, false);
    const by = guard.actorOf(request).name;
    const result = await sentry.resume(target, { by });
    const queued = result.queued.map((run) => run.id);
    options.logger.info(
      { by, action: 'resume', unit: result.unit, resumed: result.resumed, queued },
      result.resumed
        ? `server: ${by} resumed ${describe(target)} (${queued.length} waiting run${queued.length === 1 ? '' : 's'} start)`
        : `server: ${by} asked to resume ${describe(target)}, which was not paused`,
    );
    return { unit: result.unit, resumed: result.resumed, queued };
  });
}
