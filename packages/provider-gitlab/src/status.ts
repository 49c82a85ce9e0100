import { type CommitStatus, isSentryError } from '@sentry-git/core';
import type { GitlabCall } from './client.js';

/** GitLab's commit status states (`POST /projects/:id/statuses/:sha`). */
export type GitlabStatusState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

/**
 * sentry-git's four states in GitLab's words. `pending` is sent when a deploy starts, which GitLab
 * calls `running` (its `pending` means "waiting for a runner"); GitLab has no `error`, so a deploy
 * that could not run is `failed` like one that failed.
 */
export const STATE_MAP = {
  pending: 'running',
  success: 'success',
  failure: 'failed',
  error: 'failed',
} as const satisfies Record<CommitStatus['state'], GitlabStatusState>;

/** GitLab stores the description in a 255-character column. */
const DESCRIPTION_LIMIT = 255;

function isSameState(error: unknown): boolean {
  // Posting the state a status already has (a retried report) is refused with
  // `400 Cannot transition status via :run from :running`; the status is already right.
  return (
    isSentryError(error) &&
    error.details?.status === 400 &&
    /cannot transition status/i.test(String(error.details?.gitlabMessage ?? ''))
  );
}

export async function postCommitStatus(
  call: GitlabCall,
  sha: string,
  status: CommitStatus,
  defaultContext: string,
): Promise<void> {
  const description = status.description
    ? status.description.length > DESCRIPTION_LIMIT
      ? `${status.description.slice(0, DESCRIPTION_LIMIT - 1)}…`
      : status.description
    : undefined;
  try {
    await (await call.resources()).commits.editStatus(
      call.address.projectPath,
      sha,
      STATE_MAP[status.state],
      {
        name: status.context ?? defaultContext,
        ...(description ? { description } : {}),
        ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
      },
    );
  } catch (error) {
    if (!isSameState(error)) throw error;
  }
}
