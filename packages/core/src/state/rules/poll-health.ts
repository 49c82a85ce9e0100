import type { PollFailure, PollHealth } from '../../interfaces/state-store.js';

/** What `getPollHealth` answers for a repository without failures: every store answers the same. */
export function noPollFailures(): PollHealth {
  return { consecutiveFailures: 0, lastError: null, lastErrorAt: null, failingSince: null };
}

/**
 * The health after one more failed poll: the streak grows by one, the failure becomes the last
 * error, and the streak's first failure sets `failingSince`. `previous` is the stored health
 * (`noPollFailures()` for none); a store reads and writes it in one transaction.
 */
export function planPollFailure(previous: PollHealth, failure: PollFailure): PollHealth {
  const streak = previous.consecutiveFailures > 0;
  return {
    consecutiveFailures: previous.consecutiveFailures + 1,
    lastError: failure.error,
    lastErrorAt: failure.at,
    failingSince: streak ? (previous.failingSince ?? failure.at) : failure.at,
  };
}
