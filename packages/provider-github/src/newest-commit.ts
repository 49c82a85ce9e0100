import type { ChangedFiles } from '@sentry-git/core';
import { ask, badResponse, type Session } from './call.js';
import { directJson } from './direct-json.js';
import { repoUrl } from './direct-route.js';

interface CommitAnswer {
  sha: string;
  commit: { message: string };
}

function isCommit(data: unknown): data is CommitAnswer {
  const commit = data as CommitAnswer | null;
  return (
    typeof commit === 'object' &&
    commit !== null &&
    typeof commit.sha === 'string' &&
    typeof commit.commit?.message === 'string'
  );
}

/**
 * The commit `to` alone, through `GET /repos/{o}/{r}/commits/{ref}`, for a caller that reads no
 * files (skip markers without path filters): one round trip and one quota unit however long the
 * range, where the comparison needs its first page and, past one page, its last. `per_page=1`
 * keeps the commit's own file list (which nobody reads here) to one entry.
 */
export async function newestCommit(session: Session, to: string): Promise<ChangedFiles> {
  const action = `read commit ${to.slice(0, 12)}`;
  const url =
    session.direct && `${repoUrl(session.direct, session)}/commits/${encodeURIComponent(to)}?per_page=1`;
  const direct = session.direct && url ? await directJson(session, session.direct, url, action) : null;
  const answer =
    direct ??
    (await ask(session, action, 'GET /repos/{owner}/{repo}/commits/{ref}', {
      owner: session.owner,
      repo: session.repo,
      ref: to,
      per_page: 1,
    }));
  if (!isCommit(answer.data)) throw badResponse(session, action, 'not a commit');
  return { files: [], commits: [{ sha: answer.data.sha, message: answer.data.commit.message }] };
}
