import type { PollHealth } from '../interfaces/state-store.js';

/** What `getPollHealth` answers for a repository without failures: every store answers the same. */
export function noPollFailures(): PollHealth {
  return { consecutiveFailures: 0, lastError: null, lastErrorAt: null, failingSince: null };
}
