import type { RepositoryConfig } from '../config/schema.js';
import { nextPollDelayMs } from './backoff.js';

/** What the scheduler knows about one repository's polling. */
export interface RepositoryHealth {
  consecutiveFailures: number;
  lastError: string | null;
  lastPollAt: string | null;
  /** Epoch ms of the next poll; 0 = due now. */
  nextDueAt: number;
}

export interface HealthBook {
  get(repository: string): RepositoryHealth;
  /**
   * Records a poll's outcome and schedules the repository's next poll: its interval, backoff on
   * failure, or `retryAt` (a rate limit's reset) when given.
   */
  record(repo: RepositoryConfig, error: string | null, now?: number, retryAt?: number): RepositoryHealth;
  /** Repositories due by `now`, with those due within the jitter window polled together so group members stay in one cycle. */
  due(now: number): RepositoryConfig[];
  /** Epoch ms of the earliest next poll. */
  earliest(): number;
}

/** Clocks differ: poll a little after the forge's reset time. */
const RESET_MARGIN_MS = 1000;

export function createHealthBook(
  repositories: readonly RepositoryConfig[],
  settings: { interval: number; jitter: number },
): HealthBook {
  const book = new Map<string, RepositoryHealth>(
    repositories.map((repo) => [
      repo.name,
      { consecutiveFailures: 0, lastError: null, lastPollAt: null, nextDueAt: 0 },
    ]),
  );
  const get = (repository: string) => book.get(repository)!;
  return {
    get,
    record(repo, error, now = Date.now(), retryAt) {
      const state = get(repo.name);
      state.lastPollAt = new Date(now).toISOString();
      state.consecutiveFailures = error === null ? 0 : state.consecutiveFailures + 1;
      state.lastError = error;
      const interval = repo.monitor.polling_interval ?? settings.interval;
      // After a rate limit, the first poll that can succeed is the one just after the reset.
      state.nextDueAt =
        retryAt === undefined
          ? now + nextPollDelayMs(interval, state.consecutiveFailures, settings.jitter)
          : Math.max(now, retryAt) + RESET_MARGIN_MS;
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
