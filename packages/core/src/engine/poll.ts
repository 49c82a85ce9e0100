import type { RepositoryConfig } from '../config/schema.js';
import { errorMessage, SentryError } from '../errors.js';
import type { GitProvider, ProviderTarget, RateLimitInfo } from '../interfaces/provider.js';
import type { RepositoryHeads, StateStore } from '../interfaces/state-store.js';
import type { BranchHead, HeadChange } from '../types.js';
import { detectChanges } from './detector.js';
import type { PollDeadlines } from './poll-deadlines.js';

export type PollOutcome =
  | {
      ok: true;
      repo: RepositoryConfig;
      provider: string;
      changes: HeadChange[];
      heads: BranchHead[];
      wasSeen: boolean;
      /** The heads as stored before this poll (path filters compare with their last deployed SHA). */
      stored: RepositoryHeads;
    }
  | { ok: false; repo: RepositoryConfig; provider: string; error: Error };

export function targetOf(repo: RepositoryConfig): ProviderTarget {
  const { repo_url, repo_type, auth, api_base_url, ...options } = repo.monitor;
  return { repository: repo.name, url: repo_url, type: repo_type, auth, apiBaseUrl: api_base_url, options };
}

export interface PollRepositoryInput {
  repo: RepositoryConfig;
  provider: GitProvider;
  store: StateStore;
  matches: (branch: string) => boolean;
  stopSignal: AbortSignal;
  /** The poll's deadline comes from here (stop, or `timeoutSeconds`). */
  deadlines: PollDeadlines;
  timeoutSeconds: number;
  onRateLimit: (rateLimit: RateLimitInfo, provider: string) => void;
  /** See ListHeadsOptions.urgent. */
  urgent?: boolean;
}

/** Polls one repository and compares with the store; never throws (a failure is an outcome). */
export async function pollRepository(input: PollRepositoryInput): Promise<PollOutcome> {
  const { repo, provider, store, matches } = input;
  const poll = input.deadlines.start();
  const { signal } = poll;
  try {
    const stored = await store.getHeads(repo.name);
    // One map serves the provider (conditional requests) and the comparison below.
    const known = new Map(stored.heads.map((head) => [head.branch, head.sha]));
    const result = await provider.listHeads(targetOf(repo), {
      match: matches,
      patterns: repo.monitor.branches,
      signal,
      known,
      ...(input.urgent ? { urgent: true } : {}),
    });
    if (result.rateLimit) input.onRateLimit(result.rateLimit, provider.id);
    const heads = result.heads.filter((head) => matches(head.branch));
    return {
      ok: true,
      repo,
      provider: provider.id,
      changes: detectChanges(repo.name, stored, heads, matches, known),
      heads,
      wasSeen: stored.seen,
      stored,
    };
  } catch (error) {
    if (poll.timedOut() && !input.stopSignal.aborted) {
      const message = `Polling ${repo.name} took longer than global.poll_timeout (${input.timeoutSeconds} s).`;
      const fix = 'Check that the host answers from here, or raise global.poll_timeout.';
      return {
        ok: false,
        repo,
        provider: provider.id,
        error: new SentryError('POLL_TIMEOUT', message, { path: repo.name, fix, cause: error }),
      };
    }
    const wrapped =
      error instanceof Error
        ? error
        : new SentryError('POLL_FAILED', `Polling ${repo.name} failed: ${errorMessage(error)}`, {
            path: repo.name,
          });
    return { ok: false, repo, provider: provider.id, error: wrapped };
  } finally {
    poll.dispose();
  }
}
