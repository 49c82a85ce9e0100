import type { Job } from '@sentry-git/core';
import { ZERO_SHA } from './github.js';
import type { RepositoryFacts } from './repository.js';

const ACTOR = 'sentry-git';

/**
 * A GitLab "Push Hook" body in the layout gitlab.com sends (the Tekton Triggers example
 * `gitlab-push-event.json`), so bindings reading `$(body.checkout_sha)`,
 * `$(body.project.git_http_url)` or `$(body.repository.git_http_url)` work unchanged.
 * Numeric ids GitLab would add are unknown to sentry-git and left out rather than invented.
 */
export function gitlabPushPayload(job: Job, repo: RepositoryFacts, now: Date): Record<string, unknown> {
  const namespace = repo.organization || repo.name;
  return {
    object_kind: 'push',
    event_name: 'push',
    before: job.previousSha ?? ZERO_SHA,
    after: job.sha,
    ref: `refs/heads/${job.branch}`,
    checkout_sha: job.sha,
    message: null,
    user_name: ACTOR,
    user_username: ACTOR,
    user_email: '',
    project: {
      name: repo.name,
      web_url: repo.webUrl,
      git_ssh_url: repo.sshUrl,
      git_http_url: repo.cloneUrl,
      namespace,
      path_with_namespace: repo.fullName,
      homepage: repo.webUrl,
      // GitLab's legacy `url` is the SSH address; `http_url` the clone URL.
      url: repo.sshUrl,
      ssh_url: repo.sshUrl,
      http_url: repo.cloneUrl,
    },
    commits: [
      {
        id: job.sha,
        message: '',
        timestamp: now.toISOString(),
        url: `${repo.webUrl}/-/commit/${job.sha}`,
      },
    ],
    total_commits_count: 1,
    push_options: {},
    repository: {
      name: repo.name,
      url: repo.sshUrl,
      homepage: repo.webUrl,
      git_http_url: repo.cloneUrl,
      git_ssh_url: repo.sshUrl,
    },
  };
}
