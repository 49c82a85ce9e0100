import type { RepositoryConfig } from '../config/schema.js';
import type { StateStore } from '../interfaces/state-store.js';
import { createKeyedQueue } from '../keyed-queue.js';
import type { Redactor } from '../redact.js';
import type { HealthBook } from './health.js';

/** Longest error kept in the state store: a git or HTTP error can carry a whole page of output. */
export const MAX_STORED_POLL_ERROR = 2000;

/**
 * Keeps each repository's failures in a row in the state store, so `sentry-git status` (which
 * runs without an engine) and a restarted engine see them. The hot path stays write-free: a
 * successful poll writes only when it ends a streak of failures.
 */
export interface PollHealthRecorder {
  /** Loads the streaks a previous process recorded into the health book: counts and backoff go on. */
  restore(): Promise<void>;
  /**
   * Stores one poll's outcome: every failure (`error`, already a message), and a success when
   * the repository had failed before (`failuresBefore` > 0). Never throws: a store that cannot
   * write is reported through `onError`, and polling goes on.
   */
  persist(repository: string, error: string | null, failuresBefore: number, at: number): Promise<void>;
}

export function createPollHealthRecorder(input: {
  store: StateStore;
  redactor: Redactor;
  health: HealthBook;
  repositories: readonly RepositoryConfig[];
  onError(error: unknown, repository: string): void;
}): PollHealthRecorder {
  const { store, redactor, health } = input;
  // In the order the polls were noted: a clear never overtakes the failure before it.
  const writes = createKeyedQueue();

  return {
    async restore() {
      for (const repo of input.repositories) {
        const stored = await store.getPollHealth(repo.name);
        if (stored.consecutiveFailures > 0) health.restore(repo.name, stored);
      }
    },
    persist(repository, error, failuresBefore, at) {
      if (error === null && failuresBefore === 0) return Promise.resolve();
      return writes.run(repository, async () => {
        try {
          if (error === null) await store.clearPollFailures(repository);
          else
            await store.recordPollFailure(repository, {
              error: storedError(redactor.redact(error)),
              at: new Date(at).toISOString(),
            });
        } catch (failure) {
          input.onError(failure, repository);
        }
      });
    },
  };
}

function storedError(message: string): string {
  return message.length <= MAX_STORED_POLL_ERROR
    ? message
    : `${message.slice(0, MAX_STORED_POLL_ERROR - 1)}…`;
}
