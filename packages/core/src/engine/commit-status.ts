import type { SentryConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events.js';
import type { CommitStatus } from '../interfaces/provider.js';
import { definePlugin, type SentryPlugin } from '../plugins/define.js';
import type { Registry } from '../plugins/registry.js';
import { timeoutSignal } from '../timer-delay.js';
import type { JobResult } from '../types.js';
import { targetOf } from './poll.js';

/** Forges cap the description (GitHub: 140 characters). */
const DESCRIPTION_LIMIT = 140;

function finalStatus(result: JobResult): CommitStatus {
  const state = result.status === 'succeeded' ? 'success' : result.status === 'skipped' ? 'error' : 'failure';
  const text =
    result.status === 'succeeded'
      ? `Deployed in ${Math.round(result.durationMs / 1000)} s`
      : `Deploy ${result.status.replace('_', ' ')}${result.error ? `: ${result.error}` : ''}`;
  return { state, description: text.slice(0, DESCRIPTION_LIMIT) };
}

export interface CommitStatusReporter {
  /** Resolves when every report sent so far has been answered (or failed). */
  flush(): Promise<void>;
  detach(): void;
}

/**
 * `monitor.report_status`: pending on the deployed commit when its job starts, success or failure
 * when it ends. A subscriber like any other; a forge that fails to take a status is reported as
 * an `error` event and never delays a deploy.
 */
export function attachCommitStatusReporter(input: {
  bus: EventBus;
  config: SentryConfig;
  registry: Registry;
  timeoutSeconds: number;
}): CommitStatusReporter {
  const { bus, config, registry } = input;
  const pending = new Set<Promise<void>>();
  // Looked up on every job start and end: a map, not a scan of every watched repository.
  const reporting = new Map(
    config.repositories.filter((repo) => repo.monitor.report_status).map((repo) => [repo.name, repo]),
  );

  function report(repository: string, sha: string, runId: string, status: CommitStatus): void {
    const repo = reporting.get(repository);
    if (!repo) return;
    const provider = registry.provider(repo.monitor.repo_type).provider;
    if (!provider.capabilities.commitStatus || !provider.setCommitStatus) return;
    const context = `sentry-git/${repo.deploy.project_name ?? repo.name}`;
    const sent = provider
      .setCommitStatus(
        targetOf(repo),
        sha,
        { context, ...status, description: status.description },
        {
          signal: timeoutSignal(input.timeoutSeconds * 1000),
        },
      )
      .catch((error: unknown) =>
        bus.emit('error', {
          error: error instanceof Error ? error : new Error(errorMessage(error)),
          context: `reporting status ${status.state} of run ${runId} on ${repository}@${sha.slice(0, 8)}`,
        }),
      )
      .finally(() => pending.delete(sent));
    pending.add(sent);
  }

  const offs = [
    bus.on('job:start', ({ run, job }) =>
      report(job.repository, job.sha, run.id, { state: 'pending', description: `Deploying (run ${run.id})` }),
    ),
    bus.on('job:finish', ({ run, job, result }) =>
      report(job.repository, job.sha, run.id, finalStatus(result)),
    ),
  ];

  return {
    async flush() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    detach() {
      for (const off of offs) off();
    },
  };
}

/** The reporter as a plugin (a built-in of the engine): close waits for the statuses in flight. */
export function commitStatusPlugin(registry: Registry): SentryPlugin {
  return definePlugin({
    name: '@sentry-git/core:commit-status',
    setup(host) {
      const reporter = attachCommitStatusReporter({
        bus: host.events,
        config: host.config,
        registry,
        timeoutSeconds: host.config.global.poll_timeout,
      });
      return { flush: () => reporter.flush(), close: () => reporter.detach() };
    },
  });
}
