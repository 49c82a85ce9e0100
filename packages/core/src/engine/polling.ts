import type { RepositoryConfig } from '../config/schema.js';
import { errorMessage, isSentryError } from '../errors.js';
import type { Logger } from '../interfaces/executor.js';
import type { GitProvider, RateLimitInfo } from '../interfaces/provider.js';
import type { RepositoryHeads, StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import type { HeadChange } from '../types.js';
import { type EarlyCompare, startEarlyCompare } from './early-compare.js';
import { filterChange, needsChangedFiles } from './filters.js';
import { type PollOutcome, pollRepository, targetOf } from './poll.js';
import type { PollDeadlines } from './poll-deadlines.js';
import type { QuotaUse } from './quota-budget.js';
import type { PushHint } from './requests.js';

export interface PollPolicyContext {
  store: StateStore;
  registry: Registry;
  logger: Logger;
  stopSignal: AbortSignal;
  /** Deadlines of polls and of their comparisons (poll-deadlines.ts). */
  deadlines: PollDeadlines;
  timeoutSeconds: number;
  /** Where providers keep caches (mirrors for path filters). */
  cacheDir: string;
  providerFor(repo: RepositoryConfig): GitProvider;
  onRateLimit(repo: RepositoryConfig, rateLimit: RateLimitInfo, provider: string, use: QuotaUse): void;
}

async function applyFilters(
  context: PollPolicyContext,
  repo: RepositoryConfig,
  provider: GitProvider,
  changes: HeadChange[],
  stored: RepositoryHeads,
  urgent: boolean,
  early: EarlyCompare | undefined,
): Promise<HeadChange[]> {
  if (!needsChangedFiles(repo) || !provider.changedFiles) return changes;
  const filtered: HeadChange[] = [];
  for (const change of changes) {
    // A new branch has no base to compare with: it deploys.
    if (change.kind !== 'updated' || !change.after) {
      filtered.push(change);
      continue;
    }
    // Everything since the last deploy counts, not only the last push.
    const from = stored.heads.find((head) => head.branch === change.branch)?.deployedSha ?? change.before!;
    const call = context.deadlines.start();
    const { signal } = call;
    try {
      const taken = await early?.take(change.branch, from, change.after);
      const skipped = taken
        ? taken.skipped
        : await filterChange({
            repo,
            provider,
            target: targetOf(repo),
            from,
            to: change.after,
            signal,
            cacheDir: context.cacheDir,
            urgent,
            onRateLimit: (rateLimit, id) => context.onRateLimit(repo, rateLimit, id, 'comparison'),
          });
      filtered.push(skipped ? { ...change, skipped } : change);
    } catch (error) {
      // Deploying once too often is better than missing a deploy.
      context.logger.warn(
        { repository: repo.name, branch: change.branch, error: errorMessage(error) },
        `could not read what changed in ${repo.name} ${change.branch}; deploying without path filters`,
      );
      filtered.push(change);
    } finally {
      call.dispose();
    }
  }
  return filtered;
}

function unreachable(error: Error): boolean {
  return isSentryError(error) && error.code === 'PROVIDER_UNREACHABLE';
}

/**
 * One repository's poll with the policies around it: `fallback_to_git` when the forge's API
 * cannot be reached, then path filters and skip markers on what moved.
 */
export async function pollWithPolicies(
  context: PollPolicyContext,
  repo: RepositoryConfig,
  matches: (branch: string) => boolean,
  /** A poll someone asked for (webhook, API): see ListHeadsOptions.urgent. */
  urgent = false,
  /** The push a webhook announced: its comparison starts beside the poll (early-compare.ts). */
  pushed?: PushHint,
): Promise<PollOutcome> {
  const poll = (provider: GitProvider) =>
    pollRepository({
      repo,
      provider,
      store: context.store,
      matches,
      stopSignal: context.stopSignal,
      deadlines: context.deadlines,
      timeoutSeconds: context.timeoutSeconds,
      onRateLimit: (rateLimit, id) => context.onRateLimit(repo, rateLimit, id, 'poll'),
      urgent,
    });
  const provider = context.providerFor(repo);
  const early =
    pushed && matches(pushed.branch) && needsChangedFiles(repo) && provider.changedFiles
      ? startEarlyCompare({ context, repo, provider, pushed, urgent })
      : undefined;
  try {
    let used = provider;
    let outcome = await poll(provider);
    if (!outcome.ok && repo.monitor.fallback_to_git && provider.id !== 'git' && unreachable(outcome.error)) {
      const git = context.registry.provider('git').provider;
      context.logger.warn(
        { repository: repo.name, error: outcome.error.message },
        `${provider.id} API unreachable for ${repo.name}: listing branches with git ls-remote instead`,
      );
      used = git;
      outcome = await poll(git);
    }
    if (!outcome.ok) return outcome;
    const changes = await applyFilters(
      context,
      repo,
      used,
      outcome.changes,
      outcome.stored,
      urgent,
      used === provider ? early : undefined,
    );
    return changes === outcome.changes ? outcome : { ...outcome, changes };
  } finally {
    early?.dispose();
  }
}
