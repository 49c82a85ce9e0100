import type { BranchHead } from '@sentry-git/core';
import type { Session } from './call.js';
import { type DirectRoute, repoUrl } from './direct-route.js';
import { sendDirect } from './direct-send.js';

const SHA_MEDIA_TYPE = 'application/vnd.github.sha';
// SHA-1 (40) and SHA-256 (64) object names.
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export type DirectProbe =
  | { kind: 'unchanged' | 'found'; head: BranchHead }
  | { kind: 'absent' | 'not-found' }
  /** A 5xx, a network error or an odd answer: octokit asks again. */
  | null;

/**
 * The hot path of polling a literal branch: one conditional GET (direct-send.ts), the quoted
 * known SHA as its ETag. Its answers: 304 (unchanged, free), 200 with a SHA, 422 (no such
 * branch), 404 (the branch or the repository is missing; the caller tells which).
 */
export async function directProbe(
  session: Session,
  route: DirectRoute,
  branch: string,
  known: string | undefined,
): Promise<DirectProbe> {
  const url = `${repoUrl(route, session)}/commits/${encodeURIComponent(`heads/${branch}`)}`;
  const request = {
    accept: SHA_MEDIA_TYPE,
    etag: known ? `"${known}"` : undefined,
    action: `read the head of branch "${branch}"`,
    allow: [404, 422],
  };
  return sendDirect(route, session, url, request, async (response): Promise<DirectProbe> => {
    switch (response.status) {
      case 304:
        return known ? { kind: 'unchanged', head: { branch, sha: known } } : null;
      case 200: {
        const sha = (await response.text()).trim();
        return OBJECT_ID.test(sha) ? { kind: 'found', head: { branch, sha } } : null;
      }
      case 422:
        return { kind: 'absent' };
      case 404:
        return { kind: 'not-found' };
      default:
        return null;
    }
  });
}
