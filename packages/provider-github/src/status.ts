import { type CommitStatus, SentryError } from '@sentry-git/core';
import { ask, type Session } from './call.js';

const STATES = new Set<CommitStatus['state']>(['pending', 'success', 'failure', 'error']);
// GitHub keeps the first 140 characters of a status description.
const MAX_DESCRIPTION = 140;

function shorten(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_DESCRIPTION ? text : `${chars.slice(0, MAX_DESCRIPTION - 1).join('')}…`;
}

/** The body of `POST /repos/{o}/{r}/statuses/{sha}`: only the fields that are set. */
export function statusBody(status: CommitStatus, defaultContext: string): Record<string, string> {
  if (!STATES.has(status.state)) {
    throw new SentryError(
      'PROVIDER_INVALID_STATUS',
      `Unknown commit status state "${String(status.state)}".`,
      {
        fix: 'use one of pending, success, failure, error.',
      },
    );
  }
  const body: Record<string, string> = { state: status.state };
  if (status.targetUrl) body.target_url = status.targetUrl;
  if (status.description) body.description = shorten(status.description);
  body.context = status.context || defaultContext;
  return body;
}

/** Reports a deploy on a commit through `POST /repos/{o}/{r}/statuses/{sha}`. */
export async function postStatus(
  session: Session,
  sha: string,
  status: CommitStatus,
  defaultContext: string,
): Promise<void> {
  await ask(
    session,
    `set the commit status of ${sha.slice(0, 12)}`,
    'POST /repos/{owner}/{repo}/statuses/{sha}',
    {
      owner: session.owner,
      repo: session.repo,
      sha,
      ...statusBody(status, defaultContext),
    },
  );
}
