import { createHash } from 'node:crypto';
import type { RepositoryConfig } from '../config/schema.js';
import type { RateLimitInfo } from '../interfaces/provider.js';

/**
 * Which quota a repository's polls draw from: forges count per credential (per client address
 * when anonymous) on one API host, so repositories sharing a token and a host share a budget.
 * The token enters only as a short hash, so the key can be logged and kept.
 */
export function quotaKey(repo: RepositoryConfig): string {
  const host = hostOf(repo.monitor.api_base_url ?? repo.monitor.repo_url);
  const token = repo.monitor.auth?.token;
  const credential = token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : 'anonymous';
  return `${repo.monitor.repo_type} ${host} ${credential}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    // scp-like `git@host:path` and local paths: the host part, else the whole string.
    return /^[^@/]+@([^:/]+):/.exec(url)?.[1] ?? url;
  }
}

/** One quota window as poll cycles saw it. */
interface QuotaWindow {
  resetAt: number;
  /** The window's whole quota (the highest `remaining` seen when the forge does not say). */
  limit: number;
  /** The quota left after the last settled cycle. */
  remaining: number;
  /** Quota spent and polls made by the cycles settled since the window's first one. */
  spent: number;
  polls: number;
}

/** What the polls of the cycle under way reported for one quota. */
interface CycleReport {
  resetAt: number;
  limit: number;
  lowestRemaining: number;
  polls: number;
}

/**
 * What spent the quota an answer reports: a poll, or a comparison for path filters and skip
 * markers. Both lower what is left; only polls count as polls, so what comparisons spend raises
 * the cost of a poll (they follow from polls) rather than passing for cheap polls.
 */
export type QuotaUse = 'poll' | 'comparison';

export interface QuotaBudget {
  /** A request for a repository drawing on `key` answered with this quota. @default use 'poll' */
  observe(key: string, rateLimit: RateLimitInfo, now?: number, use?: QuotaUse): void;
  /**
   * Closes the books of a poll cycle. The cost of a poll is learnt per cycle, not per answer:
   * parallel polls answer out of order, and a provider sharing one client between repositories
   * reports the latest headers it saw, which may belong to another repository's request.
   */
  settle(): void;
  /**
   * How much to stretch the intervals of the repositories drawing on `key` (1 = not at all) so
   * that, polling `pollsPerSecond` times a second at the cost per poll seen so far in this
   * window, the quota left lasts until it resets with `reserve` of it untouched.
   */
  stretch(key: string, pollsPerSecond: number, now?: number): number;
  /** When the window of `key` resets (epoch ms), if known: a stretched poll need not wait past it. */
  resetAt(key: string): number | undefined;
}

export interface QuotaBudgetOptions {
  /**
   * Fraction of each window's quota left unspent by polling, for deploys (commit statuses,
   * changed files) and for people sharing the token.
   * @default 0.1
   */
  reserve?: number;
}

/**
 * A per-quota budget for adaptive polling. Free requests (a 304 to a conditional request on
 * GitHub) cost nothing, so an idle GitHub fleet is never stretched; forges that charge every
 * request (GitLab, Gitea) are paced over the reset window instead of running the quota dry
 * and then waiting for the reset with every repository blind.
 */
export function createQuotaBudget(options: QuotaBudgetOptions = {}): QuotaBudget {
  const reserve = options.reserve ?? 0.1;
  const windows = new Map<string, QuotaWindow>();
  const cycle = new Map<string, CycleReport>();
  return {
    observe(key, rateLimit, now = Date.now(), use = 'poll') {
      const polls = use === 'poll' ? 1 : 0;
      const resetAt = rateLimit.resetAt === undefined ? Number.NaN : Date.parse(rateLimit.resetAt);
      if (!Number.isFinite(resetAt) || resetAt <= now) return;
      const report = cycle.get(key);
      const limit = Math.max(rateLimit.limit ?? 0, rateLimit.remaining);
      if (!report) {
        cycle.set(key, { resetAt, limit, lowestRemaining: rateLimit.remaining, polls });
        return;
      }
      // Answers from both sides of a reset in one cycle: the newer window wins.
      if (resetAt > report.resetAt + 1000) Object.assign(report, { resetAt, lowestRemaining: Infinity });
      report.polls += polls;
      report.limit = Math.max(report.limit, limit);
      report.lowestRemaining = Math.min(report.lowestRemaining, rateLimit.remaining);
    },
    settle() {
      for (const [key, report] of cycle) {
        const window = windows.get(key);
        // A later reset time (a second's tolerance for rounding): a new window has begun, and
        // what its first cycle spent is unknown.
        if (!window || report.resetAt > window.resetAt + 1000) {
          windows.set(key, {
            resetAt: report.resetAt,
            limit: report.limit,
            remaining: report.lowestRemaining,
            spent: 0,
            polls: 0,
          });
          continue;
        }
        window.spent += Math.max(0, window.remaining - report.lowestRemaining);
        window.polls += report.polls;
        window.remaining = Math.min(window.remaining, report.lowestRemaining);
        window.limit = Math.max(window.limit, report.limit);
      }
      cycle.clear();
    },
    stretch(key, pollsPerSecond, now = Date.now()) {
      const window = windows.get(key);
      if (!window || window.polls === 0 || window.resetAt <= now) return 1;
      const costPerPoll = window.spent / window.polls;
      const affordablePerSecond =
        (Math.max(0, window.remaining - window.limit * reserve) * 1000) / (window.resetAt - now);
      const neededPerSecond = costPerPoll * pollsPerSecond;
      if (neededPerSecond <= affordablePerSecond) return 1;
      return affordablePerSecond > 0 ? neededPerSecond / affordablePerSecond : Number.POSITIVE_INFINITY;
    },
    resetAt(key) {
      return windows.get(key)?.resetAt;
    },
  };
}
