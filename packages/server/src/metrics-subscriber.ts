import type {
  EventBus,
  Registry as PluginRegistry,
  ReplicaView,
  RunStatus,
  SentryConfig,
  StateWriteHealth,
} from '@sentry-git/core';
import { FINISHED_JOB_STATUSES } from '@sentry-git/core/internal';
import type { SentryMetrics } from './metrics.js';

const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled'];

function providerId(registry: PluginRegistry, repoType: string): string | undefined {
  try {
    return registry.provider(repoType).provider.id;
  } catch {
    return undefined;
  }
}

/**
 * Series every scrape should show from the start: a counter that appears only at its first
 * increment makes `rate()` and `increase()` miss that increment.
 */
function initialise(metrics: SentryMetrics, config: SentryConfig, registry: PluginRegistry): void {
  for (const repo of config.repositories) {
    const provider = providerId(registry, repo.monitor.repo_type);
    if (provider) metrics.pollErrors.inc({ repository: repo.name, provider }, 0);
  }
  for (const status of FINISHED_RUN_STATUSES) metrics.runs.inc({ status }, 0);
  for (const status of FINISHED_JOB_STATUSES) metrics.jobs.inc({ status }, 0);
}

/**
 * Feeds the metrics from engine events, like any other subscriber: nothing in the engine knows
 * about Prometheus. Returns a function that unsubscribes.
 */
export function attachMetrics(input: {
  bus: EventBus;
  config: SentryConfig;
  registry: PluginRegistry;
  metrics: SentryMetrics;
  /** The store's write health when the server starts (a failure may precede it). */
  writeHealth?: StateWriteHealth | undefined;
  /** The engine's replica on a shared store: its part so far (the server starts after it joined). */
  replica?: ReplicaView | undefined;
}): () => void {
  const { bus, config, metrics, replica } = input;
  if (replica) {
    metrics.replicaPolled.set({ replica: replica.id }, replica.polled());
    metrics.replicasLive.set({ replica: replica.id }, replica.live());
  }
  metrics.stateWritable.set(input.writeHealth?.writable === false ? 0 : 1);
  const executors = new Map(config.repositories.map((repo) => [repo.name, repo.deploy.executor]));
  initialise(metrics, config, input.registry);
  // Cycles may overlap (a webhook's poll during a scheduled cycle): each is tracked by its id,
  // who was polled and who failed, until it finishes.
  const cycles = new Map<number, { repositories: string[]; failed: Set<string> }>();

  const offs = [
    bus.on('poll:start', ({ cycle: id, repositories }) => {
      cycles.set(id, { repositories, failed: new Set() });
    }),
    bus.on('poll:error', ({ cycle: id, repository, provider }) => {
      metrics.pollErrors.inc({ repository, provider });
      cycles.get(id)?.failed.add(repository);
    }),
    bus.on('poll:finish', ({ cycle: id, durationMs, checked }) => {
      metrics.pollCycles.inc();
      metrics.polls.inc(checked);
      metrics.pollCycleDuration.observe(durationMs / 1000);
      const cycle = cycles.get(id);
      if (!cycle) return;
      cycles.delete(id);
      const now = Date.now() / 1000;
      for (const repository of cycle.repositories) {
        if (!cycle.failed.has(repository)) metrics.lastSuccessfulPoll.set({ repository }, now);
      }
    }),
    bus.on('change', ({ repository, kind }) => metrics.changes.inc({ repository, kind })),
    bus.on('run:finish', ({ run }) => metrics.runs.inc({ status: run.status })),
    bus.on('job:finish', ({ job, result }) => {
      metrics.jobs.inc({ status: result.status });
      // A skipped job never ran: its zero duration would only drag the histogram down.
      if (result.status === 'skipped') return;
      metrics.jobDuration.observe(
        { executor: executors.get(job.repository) ?? 'unknown', status: result.status },
        result.durationMs / 1000,
      );
    }),
    bus.on('state:write-failed', () => {
      metrics.stateWriteErrors.inc();
      metrics.stateWritable.set(0);
    }),
    bus.on('state:write-recovered', () => metrics.stateWritable.set(1)),
    bus.on('replica:assigned', ({ replica, polled, live }) => {
      metrics.replicaPolled.set({ replica }, polled);
      metrics.replicasLive.set({ replica }, live);
    }),
    bus.on('ratelimit', ({ provider, rateLimit }) =>
      metrics.rateLimitRemaining.set({ provider }, rateLimit.remaining),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
