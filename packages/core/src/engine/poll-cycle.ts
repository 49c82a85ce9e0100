/**
 * Stage 2 of the pipeline: the poll cycle.
 *
 * Takes: repositories to poll now (the scheduler's due ones, a webhook's, `pollOnce`'s) and the
 * trigger they are polled for.
 * Promises: each repository is polled through its provider with its policies (polling.ts:
 * fallback to git, path filters, skip markers), at most `global.poll_concurrency` at a time;
 * every outcome is reported to the scheduler (next due time, backoff, rate limits) and failures
 * are kept in the store's poll health; `poll:start`, `poll:error` and `poll:finish` are emitted,
 * and `ratelimit` when a quota's limit or window changed or its remaining crossed a step (rate-limit-news.ts).
 * A poll someone asked for (not `poll`) is urgent: providers do not queue it behind routine ones.
 * Hands to the recorder: each unit's polls with their tickets, as soon as that unit's members
 * are polled (a change found early in a long cycle deploys without waiting for the rest).
 * `poll` alone (one repository, no bookkeeping, nothing recorded) also serves the dry run (plan.ts)
 * and the fresh reads of triggers and deploys.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import pMap from 'p-map';
import { defaultTmpDir, type RepositoryConfig, type SentryConfig } from '../config/schema.js';
import { errorMessage, RateLimitError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { RateLimitInfo } from '../interfaces/provider.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import type { RunRecord, TriggerKind, UnitKey } from '../types.js';
import type { DetectionRecorder, Polled } from './detection-recorder.js';
import { compileBranchMatcher } from './matcher.js';
import type { PollOutcome } from './poll.js';
import { createPollDeadlines } from './poll-deadlines.js';
import { createPollHealthRecorder, type PollHealthRecorder } from './poll-health.js';
import { type PollPolicyContext, pollWithPolicies } from './polling.js';
import { createRateLimitNews } from './rate-limit-news.js';
import type { PollResult, PushHint } from './requests.js';
import type { Scheduler } from './scheduler.js';
import { groupByUnit } from './units.js';

/**
 * Units started per poll slot. A unit holds its slot while its outcomes are noted and recorded
 * (state writes), so twice as many units as polls keep every poll slot busy meanwhile.
 */
const UNITS_AHEAD = 2;

export interface Poller {
  /** One repository's poll with the ticket it took; never throws (a failure is an outcome). */
  poll(repo: RepositoryConfig, urgent: boolean, pushed?: PushHint): Promise<Polled>;
  /** A cycle over `repos`, recorded unit by unit. Cycles may overlap (a webhook's poll does not wait for a scheduled one). */
  pollAll(repos: readonly RepositoryConfig[], trigger: TriggerKind, pushed?: PushHint): Promise<PollResult>;
  /** Resolves when every cycle in progress has ended (stop() waits for them). */
  settled(): Promise<void>;
  /** Failures in a row an earlier process stored: backoff goes on from there. */
  restoreHealth(): Promise<void>;
}

export interface PollerInput {
  config: SentryConfig;
  store: StateStore;
  registry: Registry;
  bus: EventBus;
  logger: Logger;
  redactor: Redactor;
  scheduler: Scheduler;
  recorder: DetectionRecorder;
  matchers: ReadonlyMap<string, (branch: string) => boolean>;
  /** Aborted by stop(): polls in flight end, and say nothing about their repository. */
  stopSignal: AbortSignal;
}

/** Each repository's compiled branch patterns (identical patterns compiled once). */
export function branchMatchers(
  repositories: readonly RepositoryConfig[],
): Map<string, (branch: string) => boolean> {
  const compiled = new Map<string, (branch: string) => boolean>();
  return new Map(
    repositories.map((repo) => [repo.name, compileBranchMatcher(repo.monitor.branches, compiled)]),
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function createPoller(input: PollerInput): Poller {
  const { config, store, registry, bus, logger, scheduler, recorder, matchers, stopSignal } = input;
  const warnedFallback = new Set<string>();
  const rateLimitNews = createRateLimitNews({ reserve: config.global.quota_reserve });
  let cycle = 0;
  const inFlight = new Set<Promise<PollResult>>();
  const pollHealth: PollHealthRecorder = createPollHealthRecorder({
    store,
    redactor: input.redactor,
    health: scheduler.health,
    repositories: config.repositories,
    onError: (error, repository) =>
      bus.emit('error', { error: asError(error), context: `recording the poll health of ${repository}` }),
  });

  function providerFor(repo: RepositoryConfig) {
    const resolved = registry.provider(repo.monitor.repo_type);
    if (resolved.fallback && !warnedFallback.has(repo.monitor.repo_type)) {
      warnedFallback.add(repo.monitor.repo_type);
      logger.warn(
        `no "${repo.monitor.repo_type}" provider is installed: polling those repositories with git ls-remote`,
      );
    }
    return resolved.provider;
  }

  /** A `ratelimit` event when the quota's figures say something new (rate-limit-news.ts), not per poll. */
  function reportRateLimit(repo: RepositoryConfig, provider: string, rateLimit: RateLimitInfo): void {
    if (!rateLimitNews.isNews(provider, scheduler.quotaKeyOf(repo), rateLimit)) return;
    bus.emit('ratelimit', { provider, repository: repo.name, rateLimit });
  }

  const pollContext: PollPolicyContext = {
    store,
    registry,
    logger,
    stopSignal,
    deadlines: createPollDeadlines(stopSignal, config.global.poll_timeout * 1000),
    timeoutSeconds: config.global.poll_timeout,
    cacheDir: path.join(config.global.tmp_dir ?? defaultTmpDir(), 'cache'),
    providerFor,
    onRateLimit: (repo, rateLimit, provider, use) => {
      scheduler.observeRateLimit(repo, rateLimit, use);
      reportRateLimit(repo, provider, rateLimit);
    },
  };

  async function poll(repo: RepositoryConfig, urgent: boolean, pushed?: PushHint): Promise<Polled> {
    const ticket = recorder.ticket(repo.name);
    const outcome = await pollWithPolicies(pollContext, repo, matchers.get(repo.name)!, urgent, pushed);
    return { outcome, ticket };
  }

  /** Schedule, rate-limit and error bookkeeping of one poll; false when it failed. */
  async function notePoll(outcome: PollOutcome, trigger: TriggerKind, thisCycle: number): Promise<boolean> {
    const limited = !outcome.ok && outcome.error instanceof RateLimitError ? outcome.error : undefined;
    const error = outcome.ok ? null : errorMessage(outcome.error);
    const failuresBefore = scheduler.health.get(outcome.repo.name).consecutiveFailures;
    const now = Date.now();
    const state = scheduler.record(outcome.repo, error, now, {
      retryAt: limited?.resetAt.getTime(),
      unscheduled: trigger !== 'poll',
      // A poll someone asked for (a webhook) is activity even when it finds nothing new.
      active:
        trigger !== 'poll' || (outcome.ok && outcome.changes.some((change) => change.kind !== 'baseline')),
    });
    if (limited) {
      reportRateLimit(outcome.repo, outcome.provider, {
        remaining: 0,
        resetAt: limited.resetAt.toISOString(),
        ...(limited.limit === undefined ? {} : { limit: limited.limit }),
      });
    }
    // A poll cut short by stop() says nothing about the repository.
    if (stopSignal.aborted) return outcome.ok;
    if (!outcome.ok) {
      bus.emit('poll:error', {
        cycle: thisCycle,
        repository: outcome.repo.name,
        provider: outcome.provider,
        error: outcome.error,
        consecutiveFailures: state.consecutiveFailures,
        nextPollAt: new Date(state.nextDueAt).toISOString(),
      });
    }
    await pollHealth.persist(outcome.repo.name, error, failuresBefore, now);
    return outcome.ok;
  }

  function pollAll(
    repos: readonly RepositoryConfig[],
    trigger: TriggerKind,
    pushed?: PushHint,
  ): Promise<PollResult> {
    const work = runCycle(repos, trigger, pushed);
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  async function runCycle(
    repos: readonly RepositoryConfig[],
    trigger: TriggerKind,
    pushed: PushHint | undefined,
  ): Promise<PollResult> {
    cycle += 1;
    const thisCycle = cycle;
    const startedAt = Date.now();
    bus.emit('poll:start', { cycle: thisCycle, repositories: repos.map((repo) => repo.name) });
    // The heads not in memory (after a start, or after a baseline wrote them) in one read, not
    // one per poll; a failure is left to each poll's own read, which reports it.
    if (repos.length > 1) await store.getHeadsMany?.(repos.map((repo) => repo.name)).catch(() => undefined);
    const concurrency = config.global.poll_concurrency;
    const limit = pLimit(concurrency);
    const units = [...groupByUnit(repos, (repo) => repo)];
    const runsByUnit = new Map<UnitKey, RunRecord>();
    let errors = 0;
    let changed = 0;
    // Units are taken up as slots free, not all at once: a cycle over 5,000 repositories that
    // started every unit up front held 5,000 pending closures and queue entries for the whole
    // cycle, and they outlived the young generation's collections (see UNITS_AHEAD).
    await pMap(
      units,
      async ([unit, members]) => {
        const polled = await Promise.all(
          members.map((repo) => limit(() => poll(repo, trigger !== 'poll', pushed))),
        );
        for (const { outcome } of polled) if (!(await notePoll(outcome, trigger, thisCycle))) errors += 1;
        let recorded = await recorder.recordPolls(unit, polled, trigger);
        if (recorded.stale.length > 0) {
          // Another replica moved these heads since this poll read them: once more, against them.
          const again = members.filter((repo) => recorded.stale.includes(repo.name));
          const repolled = await Promise.all(again.map((repo) => limit(() => poll(repo, true))));
          const retried = await recorder.recordPolls(unit, repolled, trigger);
          recorded = {
            ...retried,
            run: retried.run ?? recorded.run,
            changed: recorded.changed + retried.changed,
          };
        }
        changed += recorded.changed;
        if (recorded.run) runsByUnit.set(unit, recorded.run);
      },
      { concurrency: concurrency * UNITS_AHEAD },
    );
    scheduler.cycleDone();
    bus.emit('poll:finish', {
      cycle: thisCycle,
      checked: repos.length,
      changed,
      errors,
      durationMs: Date.now() - startedAt,
    });
    const runs = units.flatMap(([unit]) => runsByUnit.get(unit) ?? []);
    return { cycle: thisCycle, checked: repos.length, changed, errors, runs };
  }

  async function settled(): Promise<void> {
    await Promise.allSettled([...inFlight]);
  }

  return { poll, pollAll, settled, restoreHealth: () => pollHealth.restore() };
}
