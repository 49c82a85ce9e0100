import type { RepositoryConfig } from '../config/schema.js';
import { type IntervalBounds, intervalBounds, nextInterval } from './adaptive.js';
import { nextPollDelayMs } from './backoff.js';

/** What the scheduler knows about one repository's polling. */
export interface RepositoryHealth {
  consecutiveFailures: number;
  lastError: string | null;
  lastPollAt: string | null;
  /** Epoch ms of the next poll; 0 = due now. */
  nextDueAt: number;
  /** Seconds between polls now: the base interval, stretched while the repository is idle (adaptive polling). */
  effectiveInterval: number;
}

export interface PollRecord {
  /** A rate limit's reset (epoch ms): the next poll waits for it. */
  retryAt?: number;
  /** The poll found a change or was asked for (webhook, manual): the interval returns to its base. */
  active?: boolean;
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
  /** Repositories due by `now`, with those due within the jitter window polled together so group members stay in one cycle. */
  due(now: number): RepositoryConfig[];
  /** Epoch ms of the earliest next poll. */
  earliest(): number;
}

/** Clocks differ: poll a little after the forge's reset time. */
const RESET_MARGIN_MS = 1000;

export function createHealthBook(
  repositories: readonly RepositoryConfig[],
  settings: { interval: number; jitter: number; maxInterval?: number },
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
        lastPollAt: null,
        nextDueAt: 0,
        effectiveInterval: bounds.get(repo.name)!.base,
      },
    ]),
  );
  const get = (repository: string) => book.get(repository)!;
  return {
    get,
    record(repo, error, now = Date.now(), outcome = {}) {
      const state = get(repo.name);
      state.lastPollAt = new Date(now).toISOString();
      state.consecutiveFailures = error === null ? 0 : state.consecutiveFailures + 1;
      state.lastError = error;
      // A failure says nothing about activity: the interval stays, and backoff builds on it.
      if (error === null || outcome.active) {
        state.effectiveInterval = nextInterval(
          state.effectiveInterval,
          bounds.get(repo.name)!,
          outcome.active === true,
        );
      }
      // After a rate limit, the first poll that can succeed is the one just after the reset.
      state.nextDueAt =
        outcome.retryAt === undefined
          ? now + nextPollDelayMs(state.effectiveInterval, state.consecutiveFailures, settings.jitter)
          : Math.max(now, outcome.retryAt) + RESET_MARGIN_MS;
      return state;
    },
    activity(repo, now = Date.now()) {
      const state = get(repo.name);
      state.effectiveInterval = bounds.get(repo.name)!.base;
      if (state.consecutiveFailures === 0) {
        state.nextDueAt = Math.min(
          state.nextDueAt,
          now + nextPollDelayMs(state.effectiveInterval, 0, settings.jitter),
        );
      }
      return state;
    },
    due(now) {
      const window = settings.interval * 1000 * settings.jitter;
      return repositories.filter((repo) => get(repo.name).nextDueAt <= now + window);
    },
    earliest() {
      return Math.min(...[...book.values()].map((state) => state.nextDueAt));
    },
  };
}
