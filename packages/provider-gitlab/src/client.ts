import { createHash } from 'node:crypto';
import type { Branches, Commits, Repositories } from '@gitbeaker/rest';
import { createRedactor, type ProviderTarget, type RateLimitInfo, type Redactor } from '@sentry-git/core';
import { splitUrlCredentials } from '@sentry-git/core/internal';
import { type GitlabAddress, gitlabAddress } from './address.js';
import type { ErrorScope } from './errors.js';
import type { ResolvedGitlabOptions } from './options.js';
import {
  type CallContext,
  createRequesterFn,
  type FormattedResponse,
  type RateLimitBook,
  send,
} from './requester.js';

/** gitbeaker resources for the parts of the API that polling does not use (compare, statuses). */
export interface GitlabResources {
  branches: Branches;
  repositories: Repositories;
  commits: Commits;
}

/** One provider call against one project, bound to the call's signal. */
export interface GitlabCall {
  address: GitlabAddress;
  scope: ErrorScope;
  /**
   * A GET of `endpoint` (relative to the API root, already encoded) with this call's signal,
   * retries, timeouts, rate-limit bookkeeping and errors, like every request of the provider.
   */
  get(endpoint: string): Promise<FormattedResponse>;
  /**
   * The same GET with its query string ready (`per_page=100&regex=...`, already encoded). With
   * `seen`, a 200 answer comes with its body's digest and is left unparsed (`unchanged`) when
   * the digest is `seen.digest`; `seen.url` is the URL the answer said was asked (`asked`) for the
   * same endpoint and query last time.
   */
  getWithQuery(
    endpoint: string,
    query: string,
    seen?: { digest: string | undefined; url?: URL | undefined },
  ): Promise<FormattedResponse>;
  /** gitbeaker resources on the same requester, built (and gitbeaker loaded) on first use. */
  resources(): Promise<GitlabResources>;
  /** The quota reported by the last response of this call. */
  rateLimit(): RateLimitInfo | undefined;
}

/** State one provider instance keeps across calls. */
export interface ProviderState {
  options: ResolvedGitlabOptions;
  book: RateLimitBook;
  /** Keep-alive pools per host on undici, shared by every call of the instance (docs/decisions.md, "HTTP transport"). */
  fetch: typeof fetch;
  /** What calls against one project reuse (see `openCall`), per repository name. */
  projects: Map<string, Project>;
  /** Redactors per set of secrets: repositories sharing a token share one (and its RegExp). */
  redactors: Map<string, Redactor>;
}

/** Everything about a project that does not change between calls. */
interface Project {
  /** The target this was made for: the entry serves a call only while they are the same. */
  url: string;
  apiBaseUrl: string | undefined;
  authToken: string | undefined;
  address: GitlabAddress;
  scope: ErrorScope;
  quotaKey: string;
  token: string | undefined;
  /** The headers gitbeaker would send: JSON, and the token as PRIVATE-TOKEN or Bearer. */
  headers: Record<string, string>;
}

export function createProviderState(options: ResolvedGitlabOptions, send: typeof fetch): ProviderState {
  return { options, book: { exhausted: new Map() }, fetch: send, projects: new Map(), redactors: new Map() };
}

function redactorFor(state: ProviderState, secrets: (string | undefined)[]): Redactor {
  const key = secrets.map((secret) => secret ?? '').join('\n');
  let redactor = state.redactors.get(key);
  if (!redactor) {
    redactor = createRedactor(secrets);
    state.redactors.set(key, redactor);
  }
  return redactor;
}

/**
 * Resolves the project address and picks the token (`auth.token`, else a password in the URL),
 * once per project: parsing the URL, building a redactor and hashing the token per poll showed in
 * the bench profile of unchanged cycles. The entry is found by repository name and used while
 * URL, API root and token are the ones it was made for (a key joining all four, hashed per call,
 * showed in the profile too); a repository whose settings changed gets a new one.
 */
function projectOf(target: ProviderTarget, state: ProviderState): Project {
  const known = state.projects.get(target.repository);
  if (
    known &&
    known.url === target.url &&
    known.apiBaseUrl === target.apiBaseUrl &&
    known.authToken === target.auth?.token
  ) {
    return known;
  }
  const address = gitlabAddress(target.repository, target.url, target.apiBaseUrl);
  const fromUrl = splitUrlCredentials(target.url);
  const token = target.auth?.token || fromUrl.password || undefined;
  // A lone user name in an https URL may be a token as well (`https://<token>@host/...`).
  const redactor = redactorFor(state, [target.auth?.token, fromUrl.password, fromUrl.username]);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) {
    if (state.options.authScheme === 'bearer') headers.authorization = `Bearer ${token}`;
    else headers['private-token'] = token;
  }
  const project: Project = {
    url: target.url,
    apiBaseUrl: target.apiBaseUrl,
    authToken: target.auth?.token,
    address,
    scope: {
      repository: target.repository,
      url: address.displayUrl,
      projectPath: address.projectPath,
      redactor,
    },
    // A digest, not the token: the key lives in memory next to other state and may be logged.
    quotaKey: `${address.apiBaseUrl} ${token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : 'anonymous'}`,
    token,
    headers,
  };
  state.projects.set(target.repository, project);
  return project;
}

/**
 * Opens a call: the project (see `projectOf`) and a request context bound to `signal`. Polling
 * sends its requests through `get` straight away; gitbeaker (imported on first use, so neither
 * registering the provider nor polling loads it) builds resources on the same context for the
 * rest of the API.
 */
export function openCall(target: ProviderTarget, signal: AbortSignal, state: ProviderState): GitlabCall {
  const project = projectOf(target, state);
  const { address, scope, token } = project;
  let lastRateLimit: RateLimitInfo | undefined;
  const context: CallContext = {
    scope,
    apiBaseUrl: address.apiBaseUrl,
    quotaKey: project.quotaKey,
    signal,
    options: state.options,
    book: state.book,
    fetch: state.fetch,
    onRateLimit(info) {
      lastRateLimit = info;
    },
  };
  let resources: Promise<GitlabResources> | undefined;

  async function buildResources(): Promise<GitlabResources> {
    const { Branches, Commits, Repositories } = await import('@gitbeaker/rest');
    const credentials = token
      ? state.options.authScheme === 'bearer'
        ? { oauthToken: token }
        : { token }
      : {};
    const config = {
      // The requester builds URLs from the API root itself; `host` only satisfies gitbeaker.
      host: new URL(address.apiBaseUrl).origin,
      requesterFn: createRequesterFn(context),
      // No client-wide timeout signal: each call brings its own, plus requestTimeoutMs per request.
      queryTimeout: null,
      ...credentials,
    };
    return {
      branches: new Branches(config),
      repositories: new Repositories(config),
      commits: new Commits(config),
    };
  }

  return {
    address,
    scope,
    get: (endpoint) => send(context, 'GET', endpoint, project.headers, {}),
    getWithQuery: (endpoint, query, seen) => send(context, 'GET', endpoint, project.headers, {}, query, seen),
    resources() {
      resources ??= buildResources();
      return resources;
    },
    rateLimit: () => lastRateLimit,
  };
}
