import type { Job } from '@sentry-git/core';
import type { RepositoryFacts } from './repository.js';

/** RepoSentry shortens SHAs to 8 characters in its events; bindings written for it expect that. */
const SHORT_SHA_LENGTH = 8;

export interface CloudEvent {
  /** The `ce-*` attribute headers (binary content mode). */
  attributes: Record<string, string>;
  /** The event's `data`, sent alone as the body. */
  data: Record<string, unknown>;
}

/**
 * A CloudEvent in RepoSentry's layout (`dev.reposentry.repository.branch_*`, data with
 * repository / branch / commit / event), so TriggerBindings written for RepoSentry keep working
 * after a migration. Only the source says sentry-git.
 */
export function repositoryCloudEvent(
  job: Job,
  repo: RepositoryFacts,
  deliveryId: string,
  now: Date,
): CloudEvent {
  const kind = job.previousSha === null ? 'branch_created' : 'branch_updated';
  const time = now.toISOString();
  const data: Record<string, unknown> = {
    repository: {
      provider: repo.provider,
      organization: repo.organization,
      name: repo.name,
      full_name: repo.fullName,
      url: repo.url,
      id: `${repo.provider}-${repo.fullName.replaceAll('/', '-')}`,
    },
    branch: { name: job.branch, ref: `refs/heads/${job.branch}` },
    commit: { sha: job.sha, short_sha: job.sha.slice(0, SHORT_SHA_LENGTH) },
    event: { type: kind, trigger_source: 'sentry-git', trigger_id: deliveryId, detection_time: time },
  };
  if (job.previousSha !== null) {
    data.previous_commit = { sha: job.previousSha, short_sha: job.previousSha.slice(0, SHORT_SHA_LENGTH) };
  }
  return {
    attributes: {
      'ce-specversion': '1.0',
      'ce-type': `dev.reposentry.repository.${kind}`,
      'ce-source': `sentry-git/${repo.provider}`,
      'ce-id': deliveryId,
      'ce-time': time,
      'ce-datacontenttype': 'application/json',
    },
    data,
  };
}
