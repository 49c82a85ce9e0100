import type { HttpResponse } from 'gitea-js';

/**
 * A GET of a JSON resource sent through the provider's transport (transport.ts: token, timeout,
 * retries) without gitea-js's request builder: its parameter merging, query building and object
 * spreads were about 3 % of an unchanged gitea-regex cycle's busy time in the bench profile, for
 * a path this provider can write itself. The answer has gitea-js's shape, so the session's error
 * handling is the same: the Response with `data` (2xx) or `error` (the parsed error body), and a
 * non-2xx answer is thrown as that Response, as gitea-js throws it.
 */
export async function directGet<T>(
  transport: typeof fetch,
  url: string,
  signal: AbortSignal,
): Promise<HttpResponse<T>> {
  const response = (await transport(url, { signal })) as HttpResponse<T>;
  response.data = null as T;
  response.error = null;
  try {
    const body: unknown = JSON.parse(await response.text());
    if (response.ok) response.data = body as T;
    else response.error = body;
  } catch (error) {
    response.error = error;
  }
  if (!response.ok) throw response;
  return response;
}
