import { insideApiRoot } from './api-root.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Fetch's own bound. */
const MAX_REDIRECTS = 20;

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/** The request headers as a plain object with lower-case names, to edit for the next hop. */
function headersOf(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, name) => {
    out[name] = value;
  });
  return out;
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
      const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
      if (location === null || hops >= MAX_REDIRECTS) return response;
      await response.body?.cancel();
      const target = new URL(location, url).href;
      const headers = headersOf(next.headers);
      const method = (next.method ?? 'GET').toUpperCase();
      let body = next.body;
      let nextMethod = method;
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        nextMethod = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      }
      if (!insideApiRoot(apiRoot, target)) for (const name of credentialHeaders) delete headers[name];
      next = { ...next, method: nextMethod, headers, body };
      url = target;
    }
  };
}
