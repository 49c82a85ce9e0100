import { type ChangedFiles, type CommitSummary, SentryError } from '@sentry-git/core';
import { ask, badResponse, type Session } from './call.js';
import { directJson } from './direct-json.js';
import { repoUrl } from './direct-route.js';
import { linkTo } from './link.js';

// GitHub's compare answer lists at most this many files (documented), on its first page only.
const MAX_COMPARE_FILES = 300;
const MAX_PAGES = 1_000;

interface CompareFile {
  filename: string;
  previous_filename?: string;
}

interface ComparePage {
  files?: CompareFile[];
  commits: Array<{ sha: string; commit: { message: string } }>;
}

function isComparePage(data: unknown): data is ComparePage {
  const page = data as ComparePage | null;
  return (
    typeof page === 'object' &&
    page !== null &&
    Array.isArray(page.commits) &&
    page.commits.every(
      (commit) => typeof commit?.sha === 'string' && typeof commit.commit?.message === 'string',
    ) &&
    (page.files === undefined ||
      (Array.isArray(page.files) && page.files.every((file) => typeof file?.filename === 'string')))
  );
}

/**
 * Files and commits of `from...to` through `GET /repos/{o}/{r}/compare/{base}...{head}`. Files
 * come on the first page; of the commits, what the filters read is the newest, on the last page.
 * So a long range costs two requests, not one per page: the first page, then Link's `last` (pages
 * in between are followed only when GitHub names no `last`). A push of 250 commits read page by
 * page cost three sequential round trips before it could deploy. When GitHub's 300-file cap is
 * reached the list may be incomplete, and a path filter must not decide on it: that throws
 * `CHANGED_FILES_INCOMPLETE`.
 */
export async function compareCommits(
  session: Session,
  from: string,
  to: string,
  perPage: number,
): Promise<ChangedFiles> {
  const action = `compare ${from.slice(0, 12)}...${to.slice(0, 12)}`;
  const files = new Set<string>();
  const commits: CommitSummary[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const url =
      next ??
      (session.direct &&
        `${repoUrl(session.direct, session)}/compare/${encodeURIComponent(from)}...${encodeURIComponent(to)}?per_page=${perPage}`);
    const direct = session.direct && url ? await directJson(session, session.direct, url, action) : null;
    const answer =
      direct ??
      (next
        ? await ask(session, action, `GET ${next}`)
        : await ask(session, action, 'GET /repos/{owner}/{repo}/compare/{basehead}', {
            owner: session.owner,
            repo: session.repo,
            basehead: `${from}...${to}`,
            per_page: perPage,
          }));
    if (!isComparePage(answer.data)) throw badResponse(session, action, 'not a comparison');
    for (const file of answer.data.files ?? []) {
      files.add(file.filename);
      if (file.previous_filename) files.add(file.previous_filename);
    }
    if (pages === 0 && (answer.data.files?.length ?? 0) >= MAX_COMPARE_FILES) {
      throw new SentryError(
        'CHANGED_FILES_INCOMPLETE',
        `GitHub lists at most ${MAX_COMPARE_FILES} changed files and ${session.failure.url} (repository "${session.failure.repository}") changed at least that many between ${from} and ${to}.`,
        {
          fix: 'path filters cannot decide on a partial list; deploy this change, or narrow the range between polls.',
          path: session.failure.repository,
          details: { repository: session.failure.repository, from, to },
        },
      );
    }
    for (const commit of answer.data.commits)
      commits.push({ sha: commit.sha, message: commit.commit.message });
    const following = linkTo(answer.headers, 'next');
    const last = linkTo(answer.headers, 'last');
    next = following !== undefined && last !== undefined ? last : following;
    pages++;
  } while (next !== undefined && pages < MAX_PAGES);
  return { files: [...files], commits };
}
