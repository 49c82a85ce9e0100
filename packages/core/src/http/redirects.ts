import { insideApiRoot } from './api-root.js';
import { dropsBody, MAX_REDIRECTS, plainHeaders, REDIRECT_STATUSES } from './redirect-rules.js';

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * A fetch for one forge API root that follows redirects itself, as fetch does (the same method for
 * 307 and 308, GET without a body for 303 and for a POST's 301 or 302), but keeps the credential
 * headers (`Authorization` unless told otherwise) only for URLs under the API root. Fetch keeps
 * `Authorization` for any path of the same origin, so a server whose API is at
 * `http://host/api/v3` (or a proxy in front of it) redirecting to `http://host/other/…` would
 * have been handed the token; that hop now goes without it, and the server answers as to anyone.
 * A forge's own redirects (GitHub moves a renamed repository's requests to
 * `/repositories/{id}/…`) stay under the root and keep it. A caller's `redirect: 'manual'` or
 * `'error'`, and a Request object, are passed on untouched.
 */
export function followInsideApiRoot(
  base: typeof fetch,
  apiRoot: string,
  credentialHeaders: readonly string[] = ['authorization'],
): typeof fetch {
  return async (input, init) => {
    if (init?.redirect === 'manual' || init?.redirect === 'error' || input instanceof Request) {
      return base(input, init);
    }
    let url = urlOf(input);
    let next: RequestInit = { ...init, redirect: 'manual' };
    for (let hops = 0; ; hops += 1) {
      const response = await base(url, next);
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
      if (location === null || hops >= MAX_REDIRECTS) return response;
      await response.body?.cancel();
      const target = new URL(location, url).href;
      const headers = plainHeaders(next.headers);
      const method = (next.method ?? 'GET').toUpperCase();
      const drop = dropsBody(response.status, method, headers);
      if (!insideApiRoot(apiRoot, target)) for (const name of credentialHeaders) delete headers[name];
      next = drop
        ? { ...next, method: method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined }
        : { ...next, method, headers };
      url = target;
    }
  };
}
