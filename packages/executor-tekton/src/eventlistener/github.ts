import type { Job } from '@sentry-git/core';
import type { RepositoryFacts } from './repository.js';

/** GitHub's `before` for a branch that did not exist. */
export const ZERO_SHA = '0'.repeat(40);

const ACTOR = 'sentry-git';

/**
 * A GitHub `push` event for the job's new head, laid out like GitHub's own (see
 * @octokit/webhooks-examples) so stock TriggerBindings (`$(body.ref)`, `$(body.after)`,
 * `$(body.repository.clone_url)`, `$(body.head_commit.id)` ...) read it unchanged. Only what
 * sentry-git knows is filled in: it saw the head move, not the commit's message or author, so
 * those stay empty rather than invented.
 */
export function githubPushPayload(job: Job, repo: RepositoryFacts, now: Date): Record<string, unknown> {
  const before = job.previousSha ?? ZERO_SHA;
  const created = job.previousSha === null;
  const commitUrl = `${repo.webUrl}/commit/${job.sha}`;
  const headCommit = {
    id: job.sha,
    distinct: true,
    message: '',
    timestamp: now.toISOString(),
    url: commitUrl,
  };
  const owner = repo.organization.split('/')[0] || repo.name;
  return {
    ref: `refs/heads/${job.branch}`,
    before,
    after: job.sha,
    created,
    deleted: false,
    forced: false,
    base_ref: null,
    // GitHub links a new branch to its head commit and an update to the range.
    compare: created ? commitUrl : `${repo.webUrl}/compare/${before.slice(0, 12)}...${job.sha.slice(0, 12)}`,
    commits: [headCommit],
    head_commit: headCommit,
    repository: {
      name: repo.name,
      full_name: repo.fullName,
      owner: { login: owner, name: owner },
      html_url: repo.webUrl,
      url: repo.webUrl,
      clone_url: repo.cloneUrl,
      ssh_url: repo.sshUrl,
    },
    pusher: { name: ACTOR },
    sender: { login: ACTOR, type: 'Bot' },
  };
}
