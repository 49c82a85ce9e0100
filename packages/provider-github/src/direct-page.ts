import type { Answer, Session } from './call.js';
import type { DirectRoute } from './direct-route.js';
import { sendDirect } from './direct-send.js';

/**
 * One page of the branch list without octokit (direct-send.ts), sent with the ETag it had last
 * time: a 304 to that ETag (the page is replayed, no quota) and a 200 with a JSON body are the
 * answers taken here. After a 5xx, a network error or an odd answer (null) the caller asks again
 * through octokit, whose retries (one fewer: this was the first attempt) apply.
 */
export async function directPage(
  session: Session,
  route: DirectRoute,
  url: string,
  etag: string | undefined,
): Promise<Answer | null> {
  const request = { accept: 'application/vnd.github+json', etag, action: 'list the branches' };
  return sendDirect(route, session, url, request, async (response): Promise<Answer | null> => {
    // What the list reads of the headers: the ETag for the next cycle, Link for the next page.
    const headers = {
      etag: response.headers.get('etag') ?? undefined,
      link: response.headers.get('link') ?? undefined,
    };
    const answeredUrl = response.url || url;
    if (response.status === 304 && etag) {
      return { status: 304, url: answeredUrl, headers, data: undefined, notModified: true };
    }
    if (response.status !== 200) return null;
    const data: unknown = JSON.parse(await response.text());
    return { status: 200, url: answeredUrl, headers, data, notModified: false };
  });
}
