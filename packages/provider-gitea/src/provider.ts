import type { GitProvider } from '@sentry-git/core';
import { changedFiles } from './changed-files.js';
import { listHeads } from './heads.js';
import { type GiteaProviderOptions, resolveOptions } from './options.js';
import { createSessionOpener } from './session.js';
import { setCommitStatus } from './status.js';
import { parseGiteaWebhook } from './webhook.js';

/**
 * A provider for Gitea and Forgejo (API v1) through gitea-js: branch heads (literal names read
 * one by one, else every branch ref in one answer), compare, commit statuses and push webhooks.
 * Every call honours its signal and fails with a SentryError naming the repository.
 */
export function createGiteaProvider(options: GiteaProviderOptions = {}): GitProvider {
  const settings = resolveOptions(options);
  const openSession = createSessionOpener(settings);

  return {
    id: settings.id,
    // Gitea sends no ETag on branch and commit answers, so there is nothing to ask conditionally.
    capabilities: { changedFiles: true, commitStatus: true, webhooks: true },
    async listHeads(target, listOptions) {
      listOptions.signal.throwIfAborted();
      return listHeads(await openSession(target, listOptions.signal), listOptions, settings);
    },
    async changedFiles(target, from, to, { signal }) {
      signal.throwIfAborted();
      const session = await openSession(target, signal);
      const changes = await changedFiles(session, from, to);
      const rateLimit = session.rateLimit();
      return rateLimit ? { ...changes, rateLimit } : changes;
    },
    async setCommitStatus(target, sha, status, { signal }) {
      signal.throwIfAborted();
      await setCommitStatus(await openSession(target, signal), sha, status, settings.statusContext);
    },
    parseWebhook: parseGiteaWebhook,
  };
}
