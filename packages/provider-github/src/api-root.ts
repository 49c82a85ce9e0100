import { redactUrl, SentryError } from '@sentry-git/core';
import { insideApiRoot } from '@sentry-git/core/internal';
import type { FailureContext } from './errors.js';

// Core's rule, shared with the other providers' redirects.
export { insideApiRoot };

/**
 * Refuses a URL outside the API root before any request carries the token there. An error, not a
 * request without the token: GitHub names only URLs under its API root, so another one means
 * `monitor.api_base_url` is not the root the server speaks of (a proxy in front, a wrong path).
 */
export function assertInsideApiRoot(
  failure: Omit<FailureContext, 'action'>,
  url: string | URL,
  action: string,
  /** `failure.baseUrl`, parsed already by the caller. */
  root: string | URL = failure.baseUrl,
): void {
  if (insideApiRoot(root, url)) return;
  throw new SentryError(
    'PROVIDER_BAD_RESPONSE',
    `Could not ${action} of repository "${failure.repository}" (${failure.url}): the answer named ${redactUrl(failure.redactor.redact(String(url)))}, outside the API root ${failure.baseUrl}; it was not asked, so that the token goes only to the API root.`,
    {
      fix: 'set monitor.api_base_url to the API root the server names in its answers (GitHub Enterprise Server: https://HOST/api/v3), or make the proxy in front of it name its own address.',
      path: failure.repository,
      details: { repository: failure.repository, url: failure.url, apiBaseUrl: failure.baseUrl },
    },
  );
}
