import {
  createPooledFetch,
  createRedactor,
  type GitProvider,
  type ListHeadsOptions,
  type ListHeadsResult,
  type ProviderTarget,
  redactUrl,
} from '@sentry-git/core';
import { literalBranches, splitUrlCredentials } from '@sentry-git/core/internal';
import pLimit from 'p-limit';
import { apiBaseUrl, parseRepoAddress } from './address.js';
import type { Session } from './call.js';
import { createClientCache } from './client.js';
import { compareCommits } from './compare.js';
import type { DirectRoute } from './direct-route.js';
import { listAllBranches, type PageCache, probeBranches } from './heads.js';
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

  async function session(
    target: ProviderTarget,
    signal: AbortSignal,
    urgent = false,
  ): Promise<{ session: Session; cacheKey: string }> {
    const address = parseRepoAddress(target.url, target.repository);
    const baseUrl = apiBaseUrl(address, target.apiBaseUrl);
    const fromUrl = splitUrlCredentials(target.url);
    const token = target.auth?.token || fromUrl.password || undefined;
    const redactor = createRedactor([target.auth?.token, fromUrl.password, fromUrl.username]);
    return {
      cacheKey: `${baseUrl} ${address.owner}/${address.repo}`,
      session: {
        client: await clientFor({ baseUrl, token, urgent }),
        owner: address.owner,
        repo: address.repo,
        signal,
        ...withDirect(routeFor(baseUrl, token, urgent)),
        failure: {
          repository: target.repository,
          url: redactUrl(target.url),
          baseUrl,
          redactor,
          retries: resolved.retries,
        },
      },
    };
  }

  async function listHeads(target: ProviderTarget, list: ListHeadsOptions): Promise<ListHeadsResult> {
    list.signal.throwIfAborted();
    const { session: call, cacheKey } = await session(target, list.signal, list.urgent);
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
    async changedFiles(target, from, to, { signal, urgent }) {
      signal.throwIfAborted();
      return compareCommits((await session(target, signal, urgent)).session, from, to, resolved.perPage);
    },
    async setCommitStatus(target, sha, status, { signal }) {
      signal.throwIfAborted();
      await postStatus((await session(target, signal)).session, sha, status, resolved.statusContext);
    },
    parseWebhook: parseGitHubWebhook,
  };
}
