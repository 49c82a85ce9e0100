import { readRateLimitHeaders } from '@sentry-git/core';
import { MAX_REDIRECTS, REDIRECT_STATUSES } from '@sentry-git/core/internal';
import { assertInsideApiRoot } from './api-root.js';
import type { Session } from './call.js';
import type { DirectRoute } from './direct-route.js';
import { providerError } from './errors.js';

export interface DirectRequest {
  /** The media type asked for. */
  accept: string;
  /** Sent as `If-None-Match`. */
  etag?: string | undefined;
  /** What is being done, for the error a refused answer becomes ("list the branches"). */
  action: string;
  /** 4xx statuses the caller reads itself (a probe's 404 and 422); any other 4xx throws. */
  allow?: readonly number[];
}

async function bodyOf(session: Session, response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    if (session.signal.aborted) throw session.signal.reason;
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A 4xx as octokit's RequestError would carry it, mapped by the provider's one mapping. */
async function clientFailure(
  session: Session,
  response: Response,
  url: string,
  action: string,
): Promise<Error> {
  const data = await bodyOf(session, response);
  const said = (data as { message?: unknown } | null)?.message;
  const failure = {
    status: response.status,
    message: typeof said === 'string' ? said : `HTTP ${response.status}`,
    response: {
      status: response.status,
      url: response.url || url,
      headers: Object.fromEntries(response.headers),
      data,
    },
  };
  return providerError(failure, { ...session.failure, action });
}

/**
 * One GET straight through the pooled fetch, without octokit's limiter, endpoint parsing, hooks
 * and a RequestError per 304 (a tenth to a sixth of an unchanged cycle's CPU in the bench
 * profiles): the branch probes, the branch-list pages and the comparisons go this way. The token
 * goes only to URLs under the API root: a URL or a redirect elsewhere throws. The rate limit of every answer is
 * recorded. A 4xx not in `allow` throws the SentryError octokit's path would, without asking
 * again (a second request into a rate limit is what secondary limits punish). A 5xx, a network
 * error, or a body `read` cannot take (it threw or returned null) comes back as null: the caller
 * asks again through octokit, whose retries and error mapping apply.
 */
export async function sendDirect<T>(
  route: DirectRoute,
  session: Session,
  url: string,
  request: DirectRequest,
  read: (response: Response) => Promise<T | null>,
): Promise<T | null> {
  const { signal } = session;
  // Parsed once: the check below and the pooled fetch read the same URL.
  const target = URL.canParse(url) ? new URL(url) : url;
  assertInsideApiRoot(session.failure, target, request.action, route.root);
  const headers: Record<string, string> = { accept: request.accept, 'user-agent': route.userAgent };
  if (route.token) headers.authorization = `token ${route.token}`;
  if (request.etag) headers['if-none-match'] = request.etag;
  return route.limit(async (): Promise<T | null> => {
    signal.throwIfAborted();
    let response: Response;
    let asked = target;
    for (let hops = 0; ; hops += 1) {
      try {
        // Redirects are followed here, not by the fetch: it would keep the token for any path of
        // the same origin, and the token goes only under the API root.
        response = await route.fetch(asked, { headers, signal, redirect: 'manual' });
      } catch {
        if (signal.aborted) throw signal.reason;
        return null;
      }
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
      if (location === null || hops >= MAX_REDIRECTS) break;
      await response.body?.cancel();
      // GitHub moves a renamed repository's requests to /repositories/{id}/…, under the root.
      asked = new URL(location, asked);
      assertInsideApiRoot(session.failure, asked, request.action, route.root);
    }
    session.rateLimit = readRateLimitHeaders(response.headers) ?? session.rateLimit;
    const { status } = response;
    if (status >= 400 && status < 500 && !request.allow?.includes(status)) {
      throw await clientFailure(session, response, String(asked), request.action);
    }
    if (status >= 500) {
      await response.body?.cancel();
      return null;
    }
    try {
      const answer = await read(response);
      // A body left unread would hold its connection out of the pool.
      if (!response.bodyUsed) await response.body?.cancel();
      return answer;
    } catch {
      if (signal.aborted) throw signal.reason;
      // The body broke off or is not what was asked for.
      return null;
    }
  });
}
