/**
 * Stage 1 of the pipeline: the scheduler.
 *
 * Takes: the configured repositories and their polling settings (interval, jitter,
 * max_polling_interval, quota_reserve), then every poll's outcome (`record`), rate limits seen
 * (`observeRateLimit`), activity without a poll (`activity`).
 * Promises: one timer for the whole engine. Each repository's next poll is due after its
 * effective interval (adaptive: stretched while idle, back to the base after activity), with
 * jitter, exponential backoff after failures, a rate limit's reset, and the quota budget's
 * stretch; a due time past setTimeout's limit wakes the loop early rather than at once.
 * Hands to the poller: the repositories due now (with those due within the jitter window, so
 * group members stay in one cycle), through `onDue`; the next wake-up waits for that cycle.
 */
import type { RepositoryConfig, SentryConfig } from '../config/schema.js';
import type { RateLimitInfo } from '../interfaces/provider.js';
import { timerDelay } from '../timer-delay.js';
import { createHealthBook, type HealthBook, type PollRecord, type RepositoryHealth } from './health.js';
import { createQuotaBudget, type QuotaUse, quotaKey } from './quota-budget.js';

export interface Scheduler {
  /** Per repository: failures, last poll, next due time, effective interval (status reads it). */
  readonly health: HealthBook;
  /** Records a poll's outcome and sets the repository's next due time. */
  record(repo: RepositoryConfig, error: string | null, now: number, outcome: PollRecord): RepositoryHealth;
  /** Activity seen without a poll (a manual trigger): the interval returns to its base. */
  activity(repo: RepositoryConfig): void;
  /** A provider's rate-limit answer: the quota budget paces the repositories sharing that quota. */
  observeRateLimit(repo: RepositoryConfig, rateLimit: RateLimitInfo, use?: QuotaUse): void;
  /** The quota a repository's polls draw from (see quotaKey). */
  quotaKeyOf(repo: RepositoryConfig): string;
  /** A cycle ended: the quota budget forgets what it no longer needs. */
  cycleDone(): void;
  /** Arms the timer (idempotent). */
  start(): void;
  /** A poll moved earlier than the timer was set for: wake up in time for it. No-op before start(). */
  reschedule(): void;
  /** Which repositories this replica polls (the others are parked); one it gains is due at once. */
  assign(polled: ReadonlySet<string>): void;
  /** Disarms the timer for good. */
  stop(): void;
}

export interface SchedulerInput {
  config: SentryConfig;
  /** One scheduled cycle over the due repositories; the timer is set again once it settles. */
  onDue(repositories: RepositoryConfig[]): Promise<unknown>;
  onError(error: unknown): void;
}

export function createScheduler(input: SchedulerInput): Scheduler {
  const { config } = input;
  const quotaBudget = createQuotaBudget({ reserve: config.global.quota_reserve });
  const quotaKeys = new Map(config.repositories.map((repo) => [repo.name, quotaKey(repo)]));
  const health = createHealthBook(config.repositories, {
    interval: config.polling_interval,
    jitter: config.global.jitter,
    maxInterval: config.global.max_polling_interval,
    quota: { budget: quotaBudget, keyOf: (repo) => quotaKeys.get(repo.name)! },
  });
  let timer: NodeJS.Timeout | undefined;
  let armed = false;
  let stopped = false;
  // Armed, but nothing is due ever (another replica polls everything): no timer until reschedule().
  let parked = false;

  function scheduleNext(): void {
    if (stopped) return;
    const now = Date.now();
    const earliest = health.earliest();
    parked = !Number.isFinite(earliest);
    if (!parked) timer = setTimeout(fire, timerDelay(earliest - now));
  }

  function reschedule(): void {
    if (parked) {
      scheduleNext();
      return;
    }
    // While a cycle runs no timer is set: the cycle's end schedules with the new due times.
    if (!timer) return;
    clearTimeout(timer);
    scheduleNext();
  }

  function fire(): void {
    timer = undefined;
    (async () => {
      if (stopped) return;
      const due = health.due(Date.now());
      if (due.length > 0) await input.onDue(due);
    })()
      .catch(input.onError)
      .finally(scheduleNext);
  }

  return {
    health,
    record: (repo, error, now, outcome) => health.record(repo, error, now, outcome),
    activity(repo) {
      health.activity(repo);
    },
    observeRateLimit(repo, rateLimit, use) {
      quotaBudget.observe(quotaKeys.get(repo.name)!, rateLimit, undefined, use);
    },
    quotaKeyOf: (repo) => quotaKeys.get(repo.name)!,
    cycleDone() {
      quotaBudget.settle();
    },
    start() {
      if (armed || stopped) return;
      armed = true;
      scheduleNext();
    },
    reschedule,
    assign(polled) {
      health.assign(polled);
      if (armed) reschedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
