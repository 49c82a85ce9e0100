import { createHash } from 'node:crypto';
import type { Branches, Commits, Repositories } from '@gitbeaker/rest';
import { createRedactor, type ProviderTarget, type RateLimitInfo } from '@sentry-git/core';
import { splitUrlCredentials } from '@sentry-git/core/internal';
import { type GitlabAddress, gitlabAddress } from './address.js';
import type { ErrorScope } from './errors.js';
import type { ResolvedGitlabOptions } from './options.js';
import { createRequesterFn, type RateLimitBook } from './requester.js';

/** gitbeaker resources bound to one provider call (its signal) and one project. */
export interface GitlabCall {
  address: GitlabAddress;
  scope: ErrorScope;
  branches: Branches;
  repositories: Repositories;
  commits: Commits;
  /** The quota reported by the last response of this call. */
  rateLimit(): RateLimitInfo | undefined;
}

/** State one provider instance keeps across calls. */
export interface ProviderState {
  options: ResolvedGitlabOptions;
  book: RateLimitBook;
  /** Keep-alive pools per host on undici, shared by every call of the instance (docs/decisions.md, "HTTP transport"). */
  fetch: typeof fetch;
}

/**
 * Opens a call: resolves the project address, picks the token (`auth.token`, else a password in
 * the URL) and builds gitbeaker resources on a requester bound to `signal`. Resources are cheap to
 * construct, and a fresh set per call is how each call gets its own signal and error scope.
 * gitbeaker itself is imported on the first call, so registering the provider does not load it.
 */
export async function openCall(
  target: ProviderTarget,
  signal: AbortSignal,
  state: ProviderState,
): Promise<GitlabCall> {
  const { Branches, Commits, Repositories } = await import('@gitbeaker/rest');
  const address = gitlabAddress(target.repository, target.url, target.apiBaseUrl);
  const fromUrl = splitUrlCredentials(target.url);
  const token = target.auth?.token || fromUrl.password;
  // A lone user name in an https URL may be a token as well (`https://<token>@host/...`).
  const redactor = createRedactor([target.auth?.token, fromUrl.password, fromUrl.username]);
  const scope: ErrorScope = {
    repository: target.repository,
    url: address.displayUrl,
    projectPath: address.projectPath,
    redactor,
  };
  let lastRateLimit: RateLimitInfo | undefined;
  const requesterFn = createRequesterFn({
    scope,
    apiBaseUrl: address.apiBaseUrl,
    // A digest, not the token: the key lives in memory next to other state and may be logged.
    quotaKey: `${address.apiBaseUrl} ${token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : 'anonymous'}`,
    signal,
    options: state.options,
    book: state.book,
    fetch: state.fetch,
    onRateLimit(info) {
      lastRateLimit = info;
    },
  });
  const credentials = token
    ? state.options.authScheme === 'bearer'
      ? { oauthToken: token }
      : { token }
    : {};
  const config = {
    // The requester builds URLs from the API root itself; `host` only satisfies gitbeaker.
    host: new URL(address.apiBaseUrl).origin,
    requesterFn,
    // No client-wide timeout signal: each call brings its own, plus requestTimeoutMs per request.
    queryTimeout: null,
    ...credentials,
  };
  return {
    address,
    scope,
    branches: new Branches(config),
    repositories: new Repositories(config),
    commits: new Commits(config),
    rateLimit: () => lastRateLimit,
  };
}
