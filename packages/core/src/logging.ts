import pino, { type DestinationStream, type LevelWithSilent } from 'pino';
import type { EventBus, SentryEvents } from './events.js';
import type { Logger } from './interfaces/executor.js';
import { definePlugin, type SentryPlugin } from './plugins/define.js';
import { plural } from './plural.js';
import type { Redactor } from './redact.js';

export interface CreateLoggerOptions {
  /** @default 'info' */
  level?: LevelWithSilent;
  redactor: Redactor;
  /** Where lines go. @default stderr */
  destination?: DestinationStream;
}

/**
 * A pino logger whose every line passes through the redactor before it is written, whatever
 * field or message carries a secret.
 */
export function createLogger(options: CreateLoggerOptions): pino.Logger {
  const { redactor } = options;
  return pino(
    {
      name: 'sentry-git',
      level: options.level ?? 'info',
      hooks: { streamWrite: (line) => redactor.redact(line) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (library default when none is given). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function short(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 8) : '-';
}

/** How many heads a baseline line lists by name; a repository may have thousands of branches. */
const BASELINE_LISTED = 10;

function baselineMessage({ repository, heads, deploy }: SentryEvents['baseline']): string {
  if (heads.length === 0) return `${repository}: baseline recorded, no matching branch yet`;
  const listed = heads.slice(0, BASELINE_LISTED).map((head) => `${head.branch}@${short(head.sha)}`);
  const more = heads.length > BASELINE_LISTED ? ` and ${heads.length - BASELINE_LISTED} more` : '';
  const count = plural(heads.length, 'branch', 'branches');
  const then = deploy ? ' (deploying them: global.deploy_on_first_sight)' : '';
  return `${repository}: baseline recorded, ${count}: ${listed.join(', ')}${more}${then}`;
}

/**
 * Logging is a subscriber like any other: it turns events into log lines. Returns a function
 * that unsubscribes.
 */
export function attachEventLogger(bus: EventBus, logger: Logger): () => void {
  const offs = [
    bus.on('poll:start', ({ cycle, repositories }) =>
      logger.debug({ cycle, repositories: repositories.length }, 'poll started'),
    ),
    bus.on('poll:finish', (p) =>
      logger[p.errors > 0 ? 'warn' : 'debug'](
        { ...p },
        `poll finished: ${p.checked} checked, ${p.changed} changed, ${p.errors} errors`,
      ),
    ),
    bus.on('poll:error', ({ repository, provider, error, consecutiveFailures, nextPollAt }) =>
      logger.warn(
        { repository, provider, code: (error as { code?: string }).code, consecutiveFailures, nextPollAt },
        `poll of ${repository} failed: ${error.message}`,
      ),
    ),
    bus.on('change', (c) =>
      logger.info({ ...c }, `${c.repository} ${c.branch} ${c.kind}: ${short(c.before)} -> ${short(c.after)}`),
    ),
    bus.on('baseline', (b) =>
      logger.info(
        { repository: b.repository, group: b.group ?? undefined, branches: b.heads.length, deploy: b.deploy },
        baselineMessage(b),
      ),
    ),
    bus.on('run:queued', ({ run, coalesced }) =>
      logger.info(
        { runId: run.id, unit: run.unit, trigger: run.trigger, jobs: run.jobs.length, coalesced },
        coalesced ? `changes merged into queued run ${run.id}` : `run ${run.id} queued for ${run.unit}`,
      ),
    ),
    bus.on('run:start', ({ run }) =>
      logger.info({ runId: run.id, unit: run.unit, jobs: run.jobs.length }, `run ${run.id} started`),
    ),
    bus.on('job:start', ({ run, job }) =>
      logger.info(
        { runId: run.id, jobId: job.id, repository: job.repository, branch: job.branch, sha: job.sha },
        `deploying ${job.repository} ${job.branch} at ${short(job.sha)}`,
      ),
    ),
    bus.on('job:output', ({ jobId, repository, branch, stream, text }) =>
      logger.info({ jobId, repository, branch, stream }, text.replace(/\n$/, '')),
    ),
    bus.on('job:finish', ({ run, job, result }) =>
      logger[result.status === 'succeeded' || result.status === 'skipped' ? 'info' : 'warn'](
        {
          runId: run.id,
          jobId: job.id,
          repository: job.repository,
          branch: job.branch,
          status: result.status,
          exitCode: result.exitCode,
          durationMs: result.durationMs,
          error: result.error ?? undefined,
        },
        `${job.repository} ${job.branch} ${result.status}${result.error ? `: ${result.error}` : ''}`,
      ),
    ),
    bus.on('run:finish', ({ run }) =>
      logger[run.status === 'succeeded' ? 'info' : 'warn'](
        { runId: run.id, unit: run.unit, status: run.status, error: run.error ?? undefined },
        `run ${run.id} ${run.status}`,
      ),
    ),
    bus.on('ratelimit', ({ provider, repository, rateLimit }) =>
      logger.info(
        { provider, repository, ...rateLimit },
        `rate limit for ${provider}: ${rateLimit.remaining} left`,
      ),
    ),
    bus.on('replica:assigned', ({ replica, polled, repositories, live }) =>
      logger.info(
        { replica, polled, repositories, live },
        `replica ${replica} polls ${polled} of ${repositories} repositories (${live} live ${live === 1 ? 'replica' : 'replicas'})`,
      ),
    ),
    bus.on('action', ({ action, by, target, reason, runs }) =>
      logger.info(
        { action, by, target, runs, ...(reason ? { reason } : {}) },
        `${by} asked to ${action} ${target}${reason ? ` (${reason})` : ''}${runs.length > 0 ? `: ${runs.join(', ')}` : ''}`,
      ),
    ),
    bus.on('error', ({ error, context }) =>
      logger.error({ err: error, context }, `${context}: ${error.message}`),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** The event logger as a plugin (a built-in of the engine unless `logEvents: false`); it closes last. */
export function eventLoggerPlugin(): SentryPlugin {
  return definePlugin({
    name: '@sentry-git/core:event-logger',
    setup(host) {
      return { close: attachEventLogger(host.events, host.logger) };
    },
  });
}
