import { readRateLimitHeaders } from '@sentry-git/core';
import type { Answer, Session } from './call.js';
import type { DirectRoute } from './direct-route.js';
import { providerError } from './errors.js';

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A 4xx as octokit's RequestError would carry it, mapped by the provider's one mapping. */
async function clientFailure(session: Session, response: Response, url: string): Promise<Error> {
  const data = await bodyOf(response);
  const said = (data as { message?: unknown } | null)?.message;
  const failure = {
    status: response.status,
    message: typeof said === 'string' ? said : `HTTP ${response.status}`,
    response: { status: response.status, url, headers: Object.fromEntries(response.headers), data },
  };
  return providerError(failure, { ...session.failure, action: 'list the branches' });
}

/**
 * One page of the branch list sent straight through the pooled fetch, like the branch probes
 * (direct.ts): octokit's limiter queue, endpoint parsing, hooks and a RequestError per 304 were
 * about a sixth of an unchanged github-regex cycle's busy time in the bench profile). A 304 to the
 * ETag sent (the page is replayed, no quota) and a 200 with a JSON body are answers; a 4xx (a rate
 * limit, a refused token, a missing repository) throws the SentryError octokit's path would, without
 * asking again (a second request into a rate limit is what secondary limits punish). A 5xx, a
 * network error, a body that is not JSON or a URL on another origin than the API root return null:
 * the caller asks through octokit, whose retries (one fewer: this was the first attempt) apply.
 */
export async function directPage(
  session: Session,
  route: DirectRoute,
  url: string,
  etag: string | undefined,
): Promise<Answer | null> {
  const { signal } = session;
  // The token goes only to the API root it belongs to (a Link could name another host).
  if (!url.startsWith(`${route.baseUrl}/`)) return null;
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'user-agent': route.userAgent,
  };
  if (route.token) headers.authorization = `token ${route.token}`;
  if (etag) headers['if-none-match'] = etag;
  return route.limit(async (): Promise<Answer | null> => {
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
    // What the list reads of the headers: the ETag for the next cycle, Link for the next page.
    const answered = {
      etag: response.headers.get('etag') ?? undefined,
      link: response.headers.get('link') ?? undefined,
    };
    const answeredUrl = response.url || url;
    if (response.status === 304 && etag) {
      return { status: 304, url: answeredUrl, headers: answered, data: undefined, notModified: true };
    }
    if (response.status >= 400 && response.status < 500)
      throw await clientFailure(session, response, answeredUrl);
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    try {
      const data: unknown = JSON.parse(await response.text());
      return { status: 200, url: answeredUrl, headers: answered, data, notModified: false };
    } catch {
      if (signal.aborted) throw signal.reason;
      return null;
    }
  });
}
