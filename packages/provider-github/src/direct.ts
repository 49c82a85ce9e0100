import { type BranchHead, readRateLimitHeaders } from '@sentry-git/core';
import type { Session } from './call.js';
import type { DirectRoute } from './direct-route.js';

const SHA_MEDIA_TYPE = 'application/vnd.github.sha';
// SHA-1 (40) and SHA-256 (64) object names.
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export type DirectProbe =
  | { kind: 'unchanged' | 'found'; head: BranchHead }
  | { kind: 'absent' | 'not-found' }
  /** Anything else (5xx, 403, 429, a network error, an odd answer): octokit asks again. */
  | null;

/**
 * The hot path of polling a literal branch: one conditional GET sent straight through the
 * pooled fetch, without octokit's limiter, endpoint parsing, hooks and a RequestError per 304
 * (together about a tenth of an unchanged github-exact cycle's CPU in the bench profile). Only
 * the answers a poll expects are taken here (304, 200 with a SHA, 422, 404); every other outcome
 * returns null and the caller sends the request again through octokit, whose retries, rate-limit
 * handling and error mapping then apply as before.
 */
export async function directProbe(
  session: Session,
  route: DirectRoute,
  branch: string,
  known: string | undefined,
): Promise<DirectProbe> {
  const { signal } = session;
  const url = `${route.baseUrl}/repos/${encodeURIComponent(session.owner)}/${encodeURIComponent(session.repo)}/commits/${encodeURIComponent(`heads/${branch}`)}`;
  const headers: Record<string, string> = { accept: SHA_MEDIA_TYPE, 'user-agent': route.userAgent };
  if (route.token) headers.authorization = `token ${route.token}`;
  if (known) headers['if-none-match'] = `"${known}"`;
  return route.limit(async (): Promise<DirectProbe> => {
    signal.throwIfAborted();
    let response: Response;
    try {
      response = await route.fetch(url, { headers, signal });
    } catch {
      if (signal.aborted) throw signal.reason;
      // A network error: octokit sends it again with its retries.
      return null;
    }
    session.rateLimit = readRateLimitHeaders(response.headers) ?? session.rateLimit;
    if (response.status === 304 && known) return { kind: 'unchanged', head: { branch, sha: known } };
    if (response.status === 200) {
      const sha = (await response.text()).trim();
      return OBJECT_ID.test(sha) ? { kind: 'found', head: { branch, sha } } : null;
    }
    await response.body?.cancel();
    if (response.status === 422) return { kind: 'absent' };
    if (response.status === 404) return { kind: 'not-found' };
    return null;
  });
}
