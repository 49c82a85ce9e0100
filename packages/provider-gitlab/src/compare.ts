import type { ChangedFiles, CommitSummary } from '@sentry-git/core';
import type { GitlabCall } from './client.js';
import { badResponseError } from './errors.js';

interface CompareDiff {
  old_path?: unknown;
  new_path?: unknown;
  renamed_file?: unknown;
  deleted_file?: unknown;
}

interface CompareCommit {
  id?: unknown;
  message?: unknown;
  title?: unknown;
}

interface CompareAnswer {
  commits?: unknown;
  diffs?: unknown;
  compare_timeout?: unknown;
  overflow?: unknown;
}

const ENDPOINT = 'projects/:id/repository/compare';

function filesOf(diffs: CompareDiff[]): string[] {
  const files: string[] = [];
  const add = (path: unknown) => {
    if (typeof path === 'string' && path !== '' && !files.includes(path)) files.push(path);
  };
  for (const diff of diffs) {
    // A rename counts on both sides: a path filter on the old location must see it leave.
    if (diff.renamed_file) add(diff.old_path);
    add(diff.deleted_file ? diff.old_path : diff.new_path);
  }
  return files;
}

/**
 * `GET /projects/:id/repository/compare?from=&to=` (merge-base comparison, as `git diff from...to`):
 * the changed paths and the commits `from..to`, oldest first. GitLab answers in one response (no
 * pagination); when it gave up on a huge comparison (`compare_timeout`, `overflow`) the list would
 * be incomplete, so that is an error rather than a silently short answer.
 */
export async function compareCommits(call: GitlabCall, from: string, to: string): Promise<ChangedFiles> {
  const label = { method: 'GET', endpoint: ENDPOINT };
  const answer = (await (
    await call.resources()
  ).repositories.compare(call.address.projectPath, from, to)) as CompareAnswer;
  if (!answer || typeof answer !== 'object' || !Array.isArray(answer.diffs)) {
    throw badResponseError(call.scope, label, 'the comparison has no diffs list');
  }
  if (answer.compare_timeout === true || answer.overflow === true) {
    throw badResponseError(
      call.scope,
      label,
      `GitLab cut the comparison ${from}...${to} short (too large); the changed files are unknown`,
    );
  }
  const commits: CommitSummary[] = (
    Array.isArray(answer.commits) ? (answer.commits as CompareCommit[]) : []
  ).map((commit) => {
    if (typeof commit.id !== 'string') throw badResponseError(call.scope, label, 'a commit without an id');
    const message = typeof commit.message === 'string' ? commit.message : String(commit.title ?? '');
    return { sha: commit.id, message: message.replace(/\n+$/, '') };
  });
  // GitLab lists them oldest first (Gitaly ListCommits with reverse: true); should a version list
  // them newest first, `to` comes first and the order is flipped rather than trusted.
  if (commits.length > 1 && commits[0]!.sha === to && commits.at(-1)!.sha !== to) commits.reverse();
  return { files: filesOf(answer.diffs as CompareDiff[]), commits };
}
