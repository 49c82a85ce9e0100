import {
  createPooledFetch,
  createRedactor,
  type GitProvider,
  type ListHeadsOptions,
  type ListHeadsResult,
  type ProviderTarget,
  type Redactor,
  redactUrl,
} from '@sentry-git/core';
import { literalBranches, splitUrlCredentials } from '@sentry-git/core/internal';
import pLimit from 'p-limit';
import { apiBaseUrl, parseRepoAddress } from './address.js';
import type { Session } from './call.js';
import { createClientCache, tokenDigest } from './client.js';
import { compareCommits } from './compare.js';
import type { DirectRoute } from './direct-route.js';
import { listAllBranches, type PageCache, probeBranches } from './heads.js';
import { newestCommit } from './newest-commit.js';
import { type GitHubProviderOptions, resolveOptions } from './options.js';
import { postStatus } from './status.js';
import { parseGitHubWebhook } from './webhook.js';

/**
 * A provider for GitHub and GitHub Enterprise Server through the REST API (@octokit/rest with the
 * throttling and retry plugins). Polling is cheap: literal branch names are probed with
 * conditional requests on the commit SHA, branch lists are read with stored page ETags, and a
 * 304 costs no quota.
 */
export function createGitHubProvider(options: GitHubProviderOptions = {}): GitProvider {
  const resolved = resolveOptions(options);
  const clientFor = createClientCache(resolved);
  // Branch-list pages and their ETags per repository: per provider instance, never module-wide.
  const pages: PageCache = new Map();
  // Routes for branch probes without octokit, per API root, token and urgency like the clients.
  // With a `fetch` option (a proxy, a recorder) every request goes through octokit and that fetch.
  const routes = new Map<string, DirectRoute>();
  const directFetch = resolved.fetch ? undefined : createPooledFetch();

  function routeFor(baseUrl: string, token: string | undefined, urgent: boolean): DirectRoute | undefined {
    if (!directFetch) return undefined;
    const key = `${baseUrl}\n${token ?? ''}\n${urgent}`;
    let route = routes.get(key);
    if (!route) {
      route = {
        baseUrl,
        root: URL.canParse(baseUrl) ? new URL(baseUrl) : baseUrl,
        token,
        userAgent: resolved.userAgent,
        fetch: directFetch,
        limit: pLimit(resolved.maxInFlight),
      };
      routes.set(key, route);
    }
    return route;
  }

  function withDirect(route: DirectRoute | undefined): { direct?: DirectRoute } {
    return route ? { direct: route } : {};
  }

  /** What calls against one repository reuse: its address, API root, token and redactor. */
  interface Repository {
    owner: string;
    repo: string;
    baseUrl: string;
    token: string | undefined;
    tokenDigest: string;
    cacheKey: string;
    failure: Session['failure'];
  }
  // Per repository (name, URL, API root, token): parsing the address, building a redactor and
  // hashing the token per poll showed in the bench profile of unchanged cycles.
  const repositories = new Map<string, Repository>();

  function repositoryOf(target: ProviderTarget): Repository {
    const key = `${target.repository}\n${target.url}\n${target.apiBaseUrl ?? ''}\n${target.auth?.token ?? ''}`;
    const known = repositories.get(key);
    if (known) return known;
    const address = parseRepoAddress(target.url, target.repository);
    const baseUrl = apiBaseUrl(address, target.apiBaseUrl);
    const fromUrl = splitUrlCredentials(target.url);
    const token = target.auth?.token || fromUrl.password || undefined;
    const made: Repository = {
      owner: address.owner,
      repo: address.repo,
      baseUrl,
      token,
      tokenDigest: tokenDigest(token),
      cacheKey: `${baseUrl} ${address.owner}/${address.repo}`,
      failure: {
        repository: target.repository,
        url: redactUrl(target.url),
        baseUrl,
        redactor: redactorFor([target.auth?.token, fromUrl.password, fromUrl.username]),
        retries: resolved.retries,
      },
    };
    repositories.set(key, made);
    return made;
  }

  // Repositories sharing a token share its redactor (and its RegExp).
  const redactors = new Map<string, Redactor>();
  function redactorFor(secrets: (string | undefined)[]): Redactor {
    const key = secrets.map((secret) => secret ?? '').join('\n');
    let redactor = redactors.get(key);
    if (!redactor) {
      redactor = createRedactor(secrets);
      redactors.set(key, redactor);
    }
    return redactor;
  }

  function session(
    target: ProviderTarget,
    signal: AbortSignal,
    urgent = false,
  ): { session: Session; cacheKey: string } {
    const { owner, repo, baseUrl, token, tokenDigest: digest, cacheKey, failure } = repositoryOf(target);
    return {
      cacheKey,
      session: {
        // Literal branches go the direct route: octokit is loaded only when a request needs it.
        client: () => clientFor({ baseUrl, token, tokenDigest: digest, urgent }),
        owner,
        repo,
        signal,
        ...withDirect(routeFor(baseUrl, token, urgent)),
        failure,
      },
    };
  }

  async function listHeads(target: ProviderTarget, list: ListHeadsOptions): Promise<ListHeadsResult> {
    list.signal.throwIfAborted();
    const { session: call, cacheKey } = session(target, list.signal, list.urgent);
    const literals = list.patterns ? literalBranches(list.patterns) : null;
    const result = literals
      ? await probeBranches(call, literals.filter(list.match), list.known)
      : await listAllBranches(call, pages, cacheKey, resolved.perPage);
    const heads = result.heads.filter((head) => list.match(head.branch));
    return { ...result, heads, ...(call.rateLimit ? { rateLimit: call.rateLimit } : {}) };
  }

  return {
    id: resolved.id,
    capabilities: { changedFiles: true, commitStatus: true, webhooks: true },
    listHeads,
    async changedFiles(target, from, to, { signal, urgent, files = true }) {
      signal.throwIfAborted();
      const { session: call } = session(target, signal, urgent);
      const changes = files
        ? await compareCommits(call, from, to, resolved.perPage)
        : await newestCommit(call, to);
      return call.rateLimit ? { ...changes, rateLimit: call.rateLimit } : changes;
    },
    async setCommitStatus(target, sha, status, { signal }) {
      signal.throwIfAborted();
      await postStatus(session(target, signal).session, sha, status, resolved.statusContext);
    },
    parseWebhook: parseGitHubWebhook,
  };
}
