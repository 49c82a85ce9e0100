import type { Session } from './call.js';
import type { DirectRoute } from './direct-route.js';
import { type ResponseHeaders, rateLimitInfo } from './errors.js';

export interface DirectAnswer {
  url: string;
  headers: ResponseHeaders;
  data: unknown;
}

/**
 * A GET of a JSON resource sent straight through the pooled fetch, like the branch probes
 * (direct.ts): the comparison a deploy waits for spent about 15 ms in octokit before it was sent
 * and 6 ms after it was answered (one webhook at a time in the bench trace), twice for a long
 * range. Only a 200 with a JSON body is taken here; anything else (an error status, a network
 * error, a body that is not JSON, a URL on another origin than the API root) returns null and the
 * caller asks again through octokit, whose retries, rate-limit handling and error mapping apply.
 */
export async function directJson(
  session: Session,
  route: DirectRoute,
  url: string,
): Promise<DirectAnswer | null> {
  const { signal } = session;
  // The token goes only to the API root it belongs to (a Link could name another host).
  if (new URL(url).origin !== new URL(route.baseUrl).origin) return null;
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'user-agent': route.userAgent,
  };
  if (route.token) headers.authorization = `token ${route.token}`;
  return route.limit(async (): Promise<DirectAnswer | null> => {
    signal.throwIfAborted();
    let response: Response;
    try {
      response = await route.fetch(url, { headers, signal });
    } catch {
      if (signal.aborted) throw signal.reason;
      return null;
    }
    const answered = Object.fromEntries(response.headers.entries());
    session.rateLimit = rateLimitInfo(answered) ?? session.rateLimit;
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    try {
      return { url: response.url || url, headers: answered, data: JSON.parse(await response.text()) };
    } catch {
      if (signal.aborted) throw signal.reason;
      return null;
    }
  });
}
