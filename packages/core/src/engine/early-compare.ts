import type { RepositoryConfig } from '../config/schema.js';
import type { GitProvider, RateLimitInfo } from '../interfaces/provider.js';
import type { StateStore } from '../interfaces/state-store.js';
import { filterChange, type SkipReason } from './filters.js';
import { targetOf } from './poll.js';
import type { PollDeadlines } from './poll-deadlines.js';
import type { PushHint } from './requests.js';

/**
 * The comparison a webhook's push will need, asked for beside the poll's own request rather than
 * after it. Path filters and skip markers compare the last deployed commit (else the stored head)
 * with the new head; a webhook names that new head, so both round trips to the forge can be on
 * their way at once. The poll still decides: the verdict is used only for the change the forge
 * confirms (same branch, same new SHA, compared from the same commit); otherwise it is dropped
 * and its request aborted. The comparison is of two immutable commits, so its answer is the one a
 * comparison started after the poll would get.
 */
export interface EarlyCompare {
  /**
   * The verdict for a moved head, if this comparison covers it; null when it does not (the
   * caller compares as usual). Rejects as the comparison failed.
   */
  take(branch: string, from: string, to: string): Promise<{ skipped: SkipReason } | null>;
  /** Ends it: a comparison no change took is aborted. */
  dispose(): void;
}

/** What the early comparison reads from the poll's context (polling.ts). */
export interface EarlyCompareContext {
  store: StateStore;
  deadlines: PollDeadlines;
  cacheDir: string;
  onRateLimit(repo: RepositoryConfig, rateLimit: RateLimitInfo, provider: string, use: 'comparison'): void;
}

export function startEarlyCompare(input: {
  context: EarlyCompareContext;
  repo: RepositoryConfig;
  provider: GitProvider;
  pushed: PushHint;
  urgent: boolean;
}): EarlyCompare {
  const { context, repo, provider, pushed } = input;
  // Aborted when the poll's deadline ends (stop or timeout) or when no change takes the verdict:
  // one controller that follows the deadline, as deadlineSignal does, not `AbortSignal.any`.
  const deadline = context.deadlines.start();
  const unused = new AbortController();
  const followDeadline = () => unused.abort(deadline.signal.reason);
  if (deadline.signal.aborted) followDeadline();
  else deadline.signal.addEventListener('abort', followDeadline, { once: true });
  const signal = unused.signal;
  let taken = false;
  const started = (async () => {
    const stored = await context.store.getHeads(repo.name);
    const head = stored.heads.find((candidate) => candidate.branch === pushed.branch);
    // A new branch deploys without a comparison, and a head already at `after` did not move.
    if (!stored.seen || !head || head.sha === pushed.after) return null;
    const from = head.deployedSha ?? head.sha;
    const verdict = filterChange({
      repo,
      provider,
      target: targetOf(repo),
      from,
      to: pushed.after,
      signal,
      cacheDir: context.cacheDir,
      urgent: input.urgent,
      onRateLimit: (rateLimit, id) => context.onRateLimit(repo, rateLimit, id, 'comparison'),
    });
    // Settled here too: a verdict no change takes must not be an unhandled rejection.
    verdict.catch(() => {});
    return { from, verdict };
  })();
  started.catch(() => {});

  return {
    async take(branch, from, to) {
      if (branch !== pushed.branch || to !== pushed.after) return null;
      const early = await started.catch(() => null);
      if (!early || early.from !== from) return null;
      taken = true;
      return { skipped: await early.verdict };
    },
    dispose() {
      deadline.signal.removeEventListener('abort', followDeadline);
      if (!taken) unused.abort();
      deadline.dispose();
    },
  };
}
