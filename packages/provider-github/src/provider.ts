import {
  createRedactor,
  type GitProvider,
  type ListHeadsOptions,
  type ListHeadsResult,
  type ProviderTarget,
  redactUrl,
} from '@sentry-git/core';
import { literalBranches, splitUrlCredentials } from '@sentry-git/core/internal';
import { apiBaseUrl, parseRepoAddress } from './address.js';
import type { Session } from './call.js';
import { createClientCache } from './client.js';
import { compareCommits } from './compare.js';
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
