import { readDigested } from '@sentry-git/core/internal';
import type { HttpResponse } from 'gitea-js';

/** A direct GET's answer, with its body's digest when one was asked for. */
export interface DirectAnswer<T> extends HttpResponse<T> {
  /** The body's digest (a 200 answer to a GET sent with `seen`). */
  digest?: string;
  /** The body is the one `seen.digest` was taken of: `data` is null, the body was not parsed. */
  unchanged?: boolean;
}

/**
 * A GET of a JSON resource sent through the provider's transport (transport.ts: token, timeout,
 * retries) without gitea-js's request builder: its parameter merging, query building and object
 * spreads were about 3 % of an unchanged gitea-regex cycle's busy time in the bench profile, for
 * a path this provider can write itself. The answer has gitea-js's shape, so the session's error
 * handling is the same: the Response with `data` (2xx) or `error` (the parsed error body), and a
 * non-2xx answer is thrown as that Response, as gitea-js throws it.
 *
 * With `seen`, a 200 answer is read with its digest (core's `readDigested`) and left unparsed
 * when the digest is `seen.digest`: Gitea answers no conditional requests on branches, but sends
 * the same bytes while nothing moved.
 */
export async function directGet<T>(
  transport: typeof fetch,
  url: string,
  signal: AbortSignal,
  seen?: { digest: string | undefined },
): Promise<DirectAnswer<T>> {
  const response = (await transport(url, { signal })) as DirectAnswer<T>;
  response.data = null as T;
  response.error = null;
  try {
    let text: string;
    if (seen && response.status === 200) {
      const read = await readDigested(response, seen.digest);
      response.digest = read.digest;
      if (read.text === undefined) {
        response.unchanged = true;
        return response;
      }
      text = read.text;
    } else text = await response.text();
    const body: unknown = JSON.parse(text);
    if (response.ok) response.data = body as T;
    else response.error = body;
  } catch (error) {
    response.error = error;
  }
  if (!response.ok) throw response;
  return response;
}
