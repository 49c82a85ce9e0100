import type { ChangedFiles, CommitSummary } from '@sentry-git/core';
import { segment } from './address.js';
import { badResponse } from './errors.js';
import type { Session } from './session.js';

function short(sha: string): string {
  return /^[0-9a-f]{12,}$/.test(sha) ? sha.slice(0, 12) : sha;
}

/**
 * Files and commits of `from..to` from `GET /repos/{o}/{r}/compare/{from}...{to}` (Gitea 1.22+;
 * one answer, no pagination). Gitea lists each commit's files as
 * `git log --name-status --no-renames` does, so a rename shows both names (removed + added);
 * the files are their union over the commits. Gitea lists the commits newest first.
 */
export async function changedFiles(session: Session, from: string, to: string): Promise<ChangedFiles> {
  const action = `compare ${short(from)}...${short(to)} of`;
  const response = await session.call(action, () =>
    session.api.repos.repoCompareDiff(session.owner, session.repo, `${segment(from)}...${segment(to)}`, {
      signal: session.signal,
    }),
  );
  const list = response.data?.commits;
  if (!Array.isArray(list)) throw badResponse(session.context(action), 'no list of commits');

  const commits: CommitSummary[] = [];
  const files = new Set<string>();
  for (const commit of [...list].reverse()) {
    const sha = commit?.sha;
    if (typeof sha !== 'string' || sha === '')
      throw badResponse(session.context(action), 'a commit without a sha');
    commits.push({ sha, message: (commit.commit?.message ?? '').replace(/\s+$/, '') });
    for (const file of commit.files ?? []) {
      if (typeof file?.filename === 'string' && file.filename !== '') files.add(file.filename);
    }
  }
  // Newest first is by date; with skewed clocks `to` may not come first. The contract says it is last.
  const last = commits.findIndex((commit) => commit.sha === to);
  if (last !== -1 && last !== commits.length - 1) commits.push(...commits.splice(last, 1));
  return { files: [...files], commits };
}
