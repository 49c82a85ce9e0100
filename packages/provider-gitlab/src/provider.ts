import {
  type ChangedFiles,
  type CommitStatus,
  createPooledFetch,
  type GitProvider,
  type ListHeadsOptions,
  type ListHeadsResult,
  type ProviderTarget,
  type WebhookResult,
} from '@sentry-git/core';
import { createProviderState, openCall, type ProviderState } from './client.js';
import { compareCommits } from './compare.js';
import { type BranchBook, createBranchBook, listGitlabHeads } from './heads.js';
import { type GitlabProviderOptions, resolveOptions } from './options.js';
import { postCommitStatus } from './status.js';
import { parseGitlabWebhook } from './webhook.js';

/**
 * A provider for gitlab.com and self-managed GitLab through the v4 REST API (gitbeaker resources
 * on a requester of this package): branch heads with pagination (or per-name reads when that is
 * cheaper), rate limits as RateLimitError, retries with backoff, compare, commit statuses and
 * push webhooks. Everything it remembers (branch counts, spent quotas) lives in this instance.
 */
export function createGitlabProvider(options: GitlabProviderOptions = {}): GitProvider {
  const resolved = resolveOptions(options);
  const state: ProviderState = createProviderState(resolved, createPooledFetch());
  const book: BranchBook = createBranchBook();

  async function listHeads(target: ProviderTarget, listOptions: ListHeadsOptions): Promise<ListHeadsResult> {
    listOptions.signal.throwIfAborted();
    const call = openCall(target, listOptions.signal, state);
    return listGitlabHeads(call, listOptions, {
      perPage: resolved.perPage,
      probeLiteralBranches: resolved.probeLiteralBranches,
      book,
    });
  }

  async function changedFiles(
    target: ProviderTarget,
    from: string,
    to: string,
    { signal }: { signal: AbortSignal; cacheDir: string },
  ): Promise<ChangedFiles> {
    signal.throwIfAborted();
    if (from === to) return { files: [], commits: [] };
    const call = openCall(target, signal, state);
    const changes = await compareCommits(call, from, to);
    const rateLimit = call.rateLimit();
    return rateLimit ? { ...changes, rateLimit } : changes;
  }

  async function setCommitStatus(
    target: ProviderTarget,
    sha: string,
    status: CommitStatus,
    { signal }: { signal: AbortSignal },
  ): Promise<void> {
    signal.throwIfAborted();
    await postCommitStatus(openCall(target, signal, state), sha, status, resolved.statusContext);
  }

  function parseWebhook(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    secret: string | undefined,
  ): WebhookResult {
    return parseGitlabWebhook(headers, rawBody, secret);
  }

  return {
    id: 'gitlab',
    capabilities: { changedFiles: true, commitStatus: true, webhooks: true },
    listHeads,
    changedFiles,
    setCommitStatus,
    parseWebhook,
  };
}
