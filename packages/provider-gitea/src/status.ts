import type { CommitStatus } from '@sentry-git/core';
import type { CreateStatusOption } from 'gitea-js';
import { segment } from './address.js';
import type { Session } from './session.js';

/** Gitea keeps any length; its UI shows one line, so descriptions are cut as GitHub cuts them. */
const MAX_DESCRIPTION = 140;

function description(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  // Counted in code points, so an emoji is never cut in half.
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length > MAX_DESCRIPTION ? `${chars.slice(0, MAX_DESCRIPTION - 1).join('')}…` : chars.join('');
}

/**
 * `POST /repos/{o}/{r}/statuses/{sha}`. Gitea's states are GitHub's (pending, success, error,
 * failure, plus warning), so they pass through unchanged. Needs a token with write:repository.
 */
export async function setCommitStatus(
  session: Session,
  sha: string,
  status: CommitStatus,
  defaultContext: string,
): Promise<void> {
  const text = description(status.description);
  const body: CreateStatusOption = {
    state: status.state,
    context: status.context ?? defaultContext,
    ...(text === undefined ? {} : { description: session.redactor.redact(text) }),
    ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
  };
  await session.call(`report the status of commit ${sha.slice(0, 12)} of`, () =>
    session.api.repos.repoCreateStatus(session.owner, session.repo, segment(sha), body, {
      signal: session.signal,
    }),
  );
}
