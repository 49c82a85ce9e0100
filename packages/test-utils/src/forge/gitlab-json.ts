import type { CommitData } from './git-data.js';

/**
 * What the fake GitLab renders, as pure functions of the data: its routes use them, and so does
 * the bench's request floor (bench/floor), whose fixed answers must keep the fake's shape.
 */

/** GitLab's commit entity (`Entities::Commit`). */
export function commitEntity(commit: CommitData, webBase: string) {
  const [title = ''] = commit.message.split('\n');
  return {
    id: commit.sha,
    short_id: commit.sha.slice(0, 8),
    created_at: commit.committedAt,
    parent_ids: commit.parents,
    title,
    message: `${commit.message}\n`,
    author_name: commit.authorName,
    author_email: commit.authorEmail,
    authored_date: commit.authoredAt,
    committer_name: commit.committerName,
    committer_email: commit.committerEmail,
    committed_date: commit.committedAt,
    trailers: {},
    extended_trailers: {},
    web_url: `${webBase}/-/commit/${commit.sha}`,
  };
}

/** GitLab's branch entity (`Entities::Branch`) for a user who may push; `main` is the protected default. */
export function branchEntity(name: string, commit: CommitData, webBase: string) {
  return {
    name,
    commit: commitEntity(commit, webBase),
    merged: false,
    protected: name === 'main',
    developers_can_push: false,
    developers_can_merge: false,
    can_push: true,
    default: name === 'main',
    web_url: `${webBase}/-/tree/${encodeURIComponent(name)}`,
  };
}

/** Rack::Attack's RateLimit-* headers for a quota with `remaining` of `limit` left until `resetAt`. */
export function rateLimitHeaders(limit: number, remaining: number, resetAt: Date): Record<string, string> {
  const reset = Math.ceil(resetAt.getTime() / 1000);
  return {
    'RateLimit-Limit': String(limit),
    'RateLimit-Observed': String(limit - remaining),
    'RateLimit-Remaining': String(remaining),
    'RateLimit-Reset': String(reset),
    'RateLimit-ResetTime': new Date(reset * 1000).toUTCString(),
  };
}

/**
 * Offset pagination's headers for `page` of `totalPages` (`total` items): Link (prev, next,
 * first, and last when totals are given) and X-*. `total` undefined leaves out X-Total,
 * X-Total-Pages and rel="last", as GitLab does above 10,000 items.
 */
export function paginationHeaders(
  page: number,
  perPage: number,
  totalPages: number,
  total: number | undefined,
  linkTo: (page: number) => string,
): Record<string, string> {
  const links: string[] = [];
  if (page > 1) links.push(`<${linkTo(page - 1)}>; rel="prev"`);
  if (page < totalPages) links.push(`<${linkTo(page + 1)}>; rel="next"`);
  links.push(`<${linkTo(1)}>; rel="first"`);
  if (total !== undefined) links.push(`<${linkTo(totalPages)}>; rel="last"`);
  return {
    Link: links.join(', '),
    'X-Page': String(page),
    'X-Per-Page': String(perPage),
    'X-Next-Page': page < totalPages ? String(page + 1) : '',
    'X-Prev-Page': page > 1 ? String(page - 1) : '',
    ...(total !== undefined ? { 'X-Total': String(total), 'X-Total-Pages': String(totalPages) } : {}),
  };
}
