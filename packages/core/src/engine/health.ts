import type { RepositoryConfig } from '../config/schema.js';
import { type IntervalBounds, intervalBounds, nextInterval } from './adaptive.js';
import { nextPollDelayMs } from './backoff.js';
import type { QuotaBudget } from './quota-budget.js';

/** What the scheduler knows about one repository's polling. */
export interface RepositoryHealth {
  consecutiveFailures: number;
  lastError: string | null;
  /** Epoch ms of the last poll, failed or not; null before the first. Kept as a number: every poll sets it, only status() shows it. */
  lastPolledAt: number | null;
  /** Epoch ms of the next poll; 0 = due now. */
  nextDueAt: number;
  /** Seconds between polls now: the base interval, stretched while the repository is idle (adaptive polling). */
  effectiveInterval: number;
  /** How much the quota budget stretches that interval now (1 = not at all): the shared quota would not last until its reset otherwise. */
  quotaStretch: number;
}

export interface PollRecord {
  /** A rate limit's reset (epoch ms): the next poll waits for it. */
  retryAt?: number;
  /** The poll found a change or was asked for (webhook, manual): the interval returns to its base. */
  active?: boolean;
  /**
   * The poll was asked for outside the schedule (a webhook, a manual poll). When it fails, its
   * backoff does not push back a scheduled poll that was due sooner. @default false
   */
  unscheduled?: boolean;
}

export interface HealthBook {
  get(repository: string): RepositoryHealth;
  /**
   * Records a poll's outcome and schedules the repository's next poll: its effective interval
   * (stretched after a poll that found nothing, back to the base after activity), backoff on
   * failure, or `retryAt` (a rate limit's reset) when given.
   */
  record(repo: RepositoryConfig, error: string | null, now?: number, outcome?: PollRecord): RepositoryHealth;
  /**
   * Activity seen without a poll (a manual trigger): the interval returns to its base, and the next
   * poll comes no later than one base interval from now unless backoff holds it back.
   */
  activity(repo: RepositoryConfig, now?: number): RepositoryHealth;
  /**
   * Failures in a row an earlier process recorded (the state store's poll health): counting and
   * backoff go on from there. The first poll is still due at once.
   */
  restore(repository: string, failures: { consecutiveFailures: number; lastError: string | null }): void;
  /** Repositories due by `now`, with those due within the jitter window polled together so group members stay in one cycle. */
  due(now: number): RepositoryConfig[];
  /** Epoch ms of the earliest next poll; infinite when every repository is parked. */
  earliest(): number;
  /**
   * Which repositories this engine polls on schedule (another replica polls the rest: they are
   * never due); one that returns is due at once. @default all of them
   */
  assign(polled: ReadonlySet<string>, now?: number): void;
  /** False for a repository another replica polls (see `assign`). */
  schedules(repository: string): boolean;
}

/** Clocks differ: poll a little after the forge's reset time. */
const RESET_MARGIN_MS = 1000;

export interface HealthSettings {
  interval: number;
  jitter: number;
  maxInterval?: number;
  /** Paces repositories that share a quota (a token on one forge) over its reset window. */
  quota?: { budget: QuotaBudget; keyOf(repo: RepositoryConfig): string };
}

export function createHealthBook(
  repositories: readonly RepositoryConfig[],
  settings: HealthSettings,
): HealthBook {
  const bounds = new Map<string, IntervalBounds>(
    repositories.map((repo) => [repo.name, intervalBounds(repo, settings)]),
  );
  const book = new Map<string, RepositoryHealth>(
    repositories.map((repo) => [
      repo.name,
      {
        consecutiveFailures: 0,
        lastError: null,
        lastPolledAt: null,
        nextDueAt: 0,
        effectiveInterval: bounds.get(repo.name)!.base,
        quotaStretch: 1,
      },
    ]),
  );
  const get = (repository: string) => book.get(repository)!;
  // Polled by another replica: never due here.
  const parked = new Set<string>();
  const demand = createDemand(repositories, settings, get);

  function setEffectiveInterval(repo: RepositoryConfig, seconds: number): void {
    const state = get(repo.name);
    demand.change(repo, state.effectiveInterval, seconds);
    state.effectiveInterval = seconds;
  }

  /** The next poll at the effective interval, stretched by the quota budget (never past the quota's reset). */
  function nextDue(repo: RepositoryConfig, state: RepositoryHealth, now: number): number {
    const delay = nextPollDelayMs(state.effectiveInterval, state.consecutiveFailures, settings.jitter);
    state.quotaStretch = demand.stretch(repo, now);
    if (state.quotaStretch <= 1) return now + delay;
    const resetAt = demand.resetAt(repo) ?? Number.POSITIVE_INFINITY;
    return Math.min(now + delay * state.quotaStretch, resetAt + RESET_MARGIN_MS);
  }

  return {
    get,
    record(repo, error, now = Date.now(), outcome = {}) {
      const state = get(repo.name);
      state.lastPolledAt = now;
      state.consecutiveFailures = error === null ? 0 : state.consecutiveFailures + 1;
      state.lastError = error;
      // A failure says nothing about activity: the interval stays, and backoff builds on it.
      if (error === null || outcome.active) {
        setEffectiveInterval(
          repo,
          nextInterval(state.effectiveInterval, bounds.get(repo.name)!, outcome.active === true),
        );
      }
      const dueBefore = state.nextDueAt;
      // After a rate limit, the first poll that can succeed is the one just after the reset.
      state.nextDueAt =
        outcome.retryAt === undefined
          ? nextDue(repo, state, now)
          : Math.max(now, outcome.retryAt) + RESET_MARGIN_MS;
      // A webhook's poll that failed (a timeout in a burst of pushes, say) must not hold back the
      // scheduled poll: the schedule's cadence was already what the forge gets. A rate limit
      // still waits for its reset.
      if (error !== null && outcome.unscheduled && outcome.retryAt === undefined)
        state.nextDueAt = Math.min(state.nextDueAt, dueBefore);
      return state;
    },
    activity(repo, now = Date.now()) {
      const state = get(repo.name);
      setEffectiveInterval(repo, bounds.get(repo.name)!.base);
      if (state.consecutiveFailures === 0) {
        state.nextDueAt = Math.min(
          state.nextDueAt,
          now + nextPollDelayMs(state.effectiveInterval, 0, settings.jitter),
        );
      }
      return state;
    },
    restore(repository, failures) {
      const state = get(repository);
      state.consecutiveFailures = failures.consecutiveFailures;
      state.lastError = failures.lastError;
    },
    due(now) {
      const window = settings.interval * 1000 * settings.jitter;
      return repositories.filter(
        (repo) => get(repo.name).nextDueAt <= now + window && (parked.size === 0 || !parked.has(repo.name)),
      );
    },
    earliest() {
      // A loop, not Math.min(...spread): tens of thousands of arguments overflow the stack.
      let earliest = Number.POSITIVE_INFINITY;
      for (const [name, state] of book)
        if (parked.size === 0 || !parked.has(name)) earliest = Math.min(earliest, state.nextDueAt);
      return earliest;
    },
    schedules: (repository) => !parked.has(repository),
    assign(polled, now = Date.now()) {
      for (const repo of repositories) {
        if (!polled.has(repo.name)) parked.add(repo.name);
        else if (parked.delete(repo.name)) get(repo.name).nextDueAt = now;
      }
    },
  };
}

/** Polls per second each quota key asks for at the current intervals, kept as running sums (a cycle of thousands of repositories must not add them up again per poll). */
function createDemand(
  repositories: readonly RepositoryConfig[],
  settings: HealthSettings,
  get: (repository: string) => RepositoryHealth,
) {
  const quota = settings.quota;
  const keys = new Map(repositories.map((repo) => [repo.name, quota?.keyOf(repo) ?? '']));
  const perSecond = new Map<string, number>();
  for (const repo of repositories) {
    const key = keys.get(repo.name)!;
    perSecond.set(key, (perSecond.get(key) ?? 0) + 1 / get(repo.name).effectiveInterval);
  }
  return {
    change(repo: RepositoryConfig, before: number, after: number): void {
      const key = keys.get(repo.name)!;
      perSecond.set(key, (perSecond.get(key) ?? 0) - 1 / before + 1 / after);
    },
    stretch(repo: RepositoryConfig, now: number): number {
      if (!quota) return 1;
      const key = keys.get(repo.name)!;
      return quota.budget.stretch(key, perSecond.get(key) ?? 0, now);
    },
    resetAt(repo: RepositoryConfig): number | undefined {
      return quota?.budget.resetAt(keys.get(repo.name)!);
    },
  };
}
