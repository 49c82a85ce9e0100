import { definePlugin } from '@sentry-git/core';
import { createGitHubProvider } from './provider.js';

export { apiBaseUrl, parseRepoAddress, type RepoAddress } from './address.js';
export { rateLimitInfo, rateLimitReset } from './errors.js';
export type { GitHubProviderOptions, OctokitLog } from './options.js';
export { createGitHubProvider } from './provider.js';
export { statusBody } from './status.js';
export { parseGitHubWebhook, signPayload, verifySignature } from './webhook.js';

/** The GitHub provider with default options (`repo_type: github`). */
export const githubProvider = createGitHubProvider();

export default definePlugin({ name: '@sentry-git/provider-github', providers: [githubProvider] });
