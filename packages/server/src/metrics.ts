import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Poll cycles take from milliseconds (local repositories) to a minute (hundreds of forge calls). */
const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Deploys take seconds to an hour (global.timeout defaults to 5 minutes). */
const JOB_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** The metrics of one server, on its own registry (never prom-client's global one). */
export interface SentryMetrics {
  registry: Registry;
  pollCycles: Counter;
  polls: Counter;
  pollCycleDuration: Histogram;
  pollErrors: Counter<'repository' | 'provider'>;
  changes: Counter<'repository' | 'kind'>;
  runs: Counter<'status'>;
  jobs: Counter<'status'>;
  jobDuration: Histogram<'executor' | 'status'>;
  rateLimitRemaining: Gauge<'provider'>;
  lastSuccessfulPoll: Gauge<'repository'>;
  webhooks: Counter<'provider' | 'outcome'>;
  webhookRejections: Counter<'provider' | 'reason'>;
  stateWriteErrors: Counter;
  stateWritable: Gauge;
  replicaPolled: Gauge<'replica'>;
  replicasLive: Gauge<'replica'>;
}

/** How often the event-loop delay histogram (`nodejs_eventloop_lag_*`) samples, in ms. */
export const EVENT_LOOP_SAMPLE_MS = 100;

export function createMetrics(options: { defaultMetrics: boolean }): SentryMetrics {
  const registry = new Registry();
  const registers = [registry];
  // prom-client samples the event-loop delay with a repeating timer, every 10 ms by default: 100
  // wake-ups a second kept an idle `sentry-git watch` at about 1 % of a core. Any blocking
  // still delays the pending sample, so 100 ms loses no stall worth reporting.
  if (options.defaultMetrics) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }
  return {
    registry,
    pollCycles: new Counter({
      name: 'sentry_git_poll_cycles_total',
      help: 'Poll cycles finished (scheduled, pollOnce and webhook-triggered).',
      registers,
    }),
    pollCycleDuration: new Histogram({
      name: 'sentry_git_poll_cycle_duration_seconds',
      help: 'Duration of a poll cycle, from the first provider call to the recorded changes.',
      buckets: POLL_BUCKETS,
      registers,
    }),
    pollErrors: new Counter({
      name: 'sentry_git_poll_errors_total',
      help: 'Repository polls that failed (network, 5xx, rate limit, auth), by repository and provider.',
      labelNames: ['repository', 'provider'],
      registers,
    }),
    changes: new Counter({
      name: 'sentry_git_changes_total',
      help: 'Branch heads that moved, by repository and kind (created, updated, deleted).',
      labelNames: ['repository', 'kind'],
      registers,
    }),
    runs: new Counter({
      name: 'sentry_git_runs_total',
      help: 'Runs finished, by final status.',
      labelNames: ['status'],
      registers,
    }),
    jobs: new Counter({
      name: 'sentry_git_jobs_total',
      help: 'Jobs finished, by final status (skipped jobs included).',
      labelNames: ['status'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'sentry_git_job_duration_seconds',
      help: 'Duration of a deploy job, by executor and final status.',
      labelNames: ['executor', 'status'],
      buckets: JOB_BUCKETS,
      registers,
    }),
    rateLimitRemaining: new Gauge({
      name: 'sentry_git_ratelimit_remaining',
      help: 'API requests left in the current rate-limit window, as the forge last reported it.',
      labelNames: ['provider'],
      registers,
    }),
    lastSuccessfulPoll: new Gauge({
      name: 'sentry_git_last_successful_poll_timestamp_seconds',
      help: 'Unix time of the last successful poll of each repository.',
      labelNames: ['repository'],
      registers,
    }),
    webhooks: new Counter({
      name: 'sentry_git_webhooks_total',
      help: 'Webhook deliveries, by provider and outcome (accepted, ignored, rejected).',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    webhookRejections: new Counter({
      name: 'sentry_git_webhooks_rejected_total',
      help: 'Webhook deliveries refused, by provider and reason (the error code answered: WEBHOOK_SIGNATURE_INVALID, UNKNOWN_PROVIDER, BODY_TOO_LARGE...).',
      labelNames: ['provider', 'reason'],
      registers,
    }),
    stateWriteErrors: new Counter({
      name: 'sentry_git_state_write_errors_total',
      help: 'Writes the state store failed (disk full, read-only file): heads, runs or job results not recorded.',
      registers,
    }),
    stateWritable: new Gauge({
      name: 'sentry_git_state_writable',
      help: '1 while the last state store write succeeded, 0 from a failed write until the next successful one.',
      registers,
    }),
    polls: new Counter({
      name: 'sentry_git_polls_total',
      help: 'Repositories polled, one per poll of one repository (failed polls included): with several replicas, what this one polled.',
      registers,
    }),
    replicaPolled: new Gauge({
      name: 'sentry_git_replica_polled_repositories',
      help: 'On a state store several replicas share: the repositories this replica polls (its leases), labelled with its name.',
      labelNames: ['replica'],
      registers,
    }),
    replicasLive: new Gauge({
      name: 'sentry_git_replicas_live',
      help: 'On a state store several replicas share: the replicas alive at this replica’s last renewal, labelled with its name.',
      labelNames: ['replica'],
      registers,
    }),
  };
}
