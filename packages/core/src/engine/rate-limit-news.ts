import type { RateLimitInfo } from '../interfaces/provider.js';

/**
 * Which rate-limit answers are worth a `ratelimit` event. Every poll of a forge that sends quota
 * headers reports its quota, and on forges that charge every request (GitLab, Gitea) each answer
 * reports one unit less: an event per poll would be redacted, delivered and, at the CLI's `info`
 * level, logged for nothing an operator acts on. An answer is news for its quota (provider and
 * quota key, as the quota budget counts) when:
 * - it is the quota's first report, or its limit changed;
 * - a new window began (the reset time moved by more than a second: servers that send seconds
 *   until the reset are a second off now and then);
 * - the remaining quota crossed a step: each tenth of the limit, the quota budget's reserve, and
 *   0 (without a limit: each halving, and 0);
 * - the remaining quota changed and the quota's last event is `refreshMs` old, so a gauge or a
 *   log fed by these events is never staler than that.
 */
export interface RateLimitNews {
  isNews(provider: string, quotaKey: string, rateLimit: RateLimitInfo, now?: number): boolean;
}

export interface RateLimitNewsOptions {
  /** The quota budget's reserve (`global.quota_reserve`): crossing it is news. @default 0.1 */
  reserve?: number;
  /** The longest time a changed remaining quota waits for its event. @default 60000 */
  refreshMs?: number;
}

interface Reported {
  rateLimit: RateLimitInfo;
  step: number;
  at: number;
}

/** Reset times closer than this are the same window. */
const SAME_RESET_MS = 1000;

/** The step a remaining quota is in, as a number (compared on every poll, so no string is built). */
function stepOf(rateLimit: RateLimitInfo, reserve: number): number {
  const { remaining, limit } = rateLimit;
  if (remaining <= 0) return -1;
  // Without a limit: halvings, kept apart from the tenths below by their sign.
  if (limit === undefined || limit <= 0) return -2 - Math.floor(Math.log2(remaining));
  const tenth = Math.min(9, Math.floor((remaining * 10) / limit));
  return tenth * 2 + (remaining <= limit * reserve ? 0 : 1);
}

function resetMs(rateLimit: RateLimitInfo): number | undefined {
  return rateLimit.resetAt === undefined ? undefined : Date.parse(rateLimit.resetAt);
}

function newWindow(last: RateLimitInfo, next: RateLimitInfo): boolean {
  if (last.resetAt === next.resetAt) return false;
  const before = resetMs(last);
  const after = resetMs(next);
  if (before === undefined || after === undefined) return before !== after;
  return Math.abs(after - before) > SAME_RESET_MS;
}

export function createRateLimitNews(options: RateLimitNewsOptions = {}): RateLimitNews {
  const reserve = options.reserve ?? 0.1;
  const refreshMs = options.refreshMs ?? 60_000;
  const lastByQuota = new Map<string, Reported>();
  return {
    isNews(provider, quotaKey, rateLimit, now = Date.now()) {
      const key = `${provider} ${quotaKey}`;
      const last = lastByQuota.get(key);
      const step = stepOf(rateLimit, reserve);
      const news =
        last === undefined ||
        last.rateLimit.limit !== rateLimit.limit ||
        newWindow(last.rateLimit, rateLimit) ||
        last.step !== step ||
        (last.rateLimit.remaining !== rateLimit.remaining && now - last.at >= refreshMs);
      if (!news) return false;
      lastByQuota.set(key, { rateLimit, step, at: now });
      return true;
    },
  };
}
