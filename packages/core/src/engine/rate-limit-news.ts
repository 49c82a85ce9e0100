import type { RateLimitInfo } from '../interfaces/provider.js';

/**
 * Which rate-limit answers are worth a `ratelimit` event. Every poll of a forge that sends quota
 * headers reports its quota, and most repeat the last report (a 304 on GitHub spends nothing):
 * an event per poll would be redacted and delivered for nothing. An answer is news when its
 * quota (provider and quota key, as the quota budget counts) reports another remaining, limit
 * or reset time than the last one, or when it would move the provider's last reported
 * remaining (`sentry_git_ratelimit_remaining{provider}` shows that, whichever quota said it).
 */
export interface RateLimitNews {
  isNews(provider: string, quotaKey: string, rateLimit: RateLimitInfo): boolean;
}

export function createRateLimitNews(): RateLimitNews {
  const lastByQuota = new Map<string, RateLimitInfo>();
  const remainingByProvider = new Map<string, number>();
  return {
    isNews(provider, quotaKey, rateLimit) {
      const key = `${provider} ${quotaKey}`;
      const last = lastByQuota.get(key);
      const same =
        last !== undefined &&
        last.remaining === rateLimit.remaining &&
        last.limit === rateLimit.limit &&
        last.resetAt === rateLimit.resetAt &&
        remainingByProvider.get(provider) === rateLimit.remaining;
      if (same) return false;
      lastByQuota.set(key, rateLimit);
      remainingByProvider.set(provider, rateLimit.remaining);
      return true;
    },
  };
}
