/**
 * What the Fetch standard does on a redirect, shared by the fetches that follow redirects
 * themselves; `plainHeaders` also serves providers that read a request's headers in any form.
 */

/** The statuses fetch follows. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Fetch's own bound on hops. */
export const MAX_REDIRECTS = 20;

/** Request headers in any of fetch's forms, as a copy with lower-case names (the next hop edits it). */
export function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      out[name] = value;
    });
  } else if (Array.isArray(init)) {
    for (const [name = '', value] of init) out[name.toLowerCase()] = String(value);
  } else {
    for (const [name, value] of Object.entries(init)) out[name.toLowerCase()] = String(value);
  }
  return out;
}

/**
 * Whether the next hop drops the body: a 303, or a POST's 301 or 302. It is then asked with GET
 * (HEAD stays HEAD) and without the body's headers, which this removes from `headers`; otherwise
 * the method and body go along unchanged.
 */
export function dropsBody(status: number, method: string, headers: Record<string, string>): boolean {
  if (status !== 303 && !((status === 301 || status === 302) && method === 'POST')) return false;
  delete headers['content-type'];
  delete headers['content-length'];
  return true;
}
