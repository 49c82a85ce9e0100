import type { Session } from './call.js';
import type { DirectRoute } from './direct-route.js';
import { sendDirect } from './direct-send.js';
import type { ResponseHeaders } from './errors.js';

export interface DirectAnswer {
  url: string;
  /** What the comparison reads of the headers: Link, for the pages after the first. */
  headers: ResponseHeaders;
  data: unknown;
}

/**
 * A GET of a JSON resource without octokit (direct-send.ts): the comparison a deploy waits for
 * spent about 15 ms in octokit before it was sent and 6 ms after it was answered (one webhook at
 * a time in the bench trace), twice for a long range. Only a 200 with a JSON body is taken here;
 * after a 5xx, a network error or an odd answer (null) the caller asks again through octokit.
 */
export async function directJson(
  session: Session,
  route: DirectRoute,
  url: string,
  action: string,
): Promise<DirectAnswer | null> {
  const request = { accept: 'application/vnd.github+json', action };
  return sendDirect(route, session, url, request, async (response): Promise<DirectAnswer | null> => {
    if (response.status !== 200) return null;
    const data: unknown = JSON.parse(await response.text());
    return { url: response.url || url, headers: { link: response.headers.get('link') ?? undefined }, data };
  });
}
