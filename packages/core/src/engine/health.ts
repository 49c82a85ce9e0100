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
  /** Records a poll's outcome and schedules the repository's next poll (backoff on failure). */
  record(repo: RepositoryConfig, error: string | null, now?: number): RepositoryHealth;
  /** Repositories due by `now`, with those due within the jitter window polled together so group members stay in one cycle. */
  due(now: number): RepositoryConfig[];
  /** Epoch ms of the earliest next poll. */
  earliest(): number;
}

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
    record(repo, error, now = Date.now()) {
      const state = get(repo.name);
      state.lastPollAt = new Date(now).toISOString();
      state.consecutiveFailures = error === null ? 0 : state.consecutiveFailures + 1;
      state.lastError = error;
      const interval = repo.monitor.polling_interval ?? settings.interval;
      state.nextDueAt = now + nextPollDelayMs(interval, state.consecutiveFailures, settings.jitter);
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
