import { definePlugin } from '@sentry-git/core';
import { createGiteaProvider } from './provider.js';

export { type GiteaAddress, parseRepoUrl } from './address.js';
export type { GiteaProviderOptions } from './options.js';
export { createGiteaProvider } from './provider.js';
export { parseGiteaWebhook, verifySignature } from './webhook.js';

/** The Gitea provider with default options (`repo_type: gitea`). */
export const giteaProvider = createGiteaProvider();

/** The same implementation for Forgejo, which keeps Gitea's API (`repo_type: forgejo`). */
export const forgejoProvider = createGiteaProvider({ id: 'forgejo' });

export default definePlugin({
  name: '@sentry-git/provider-gitea',
  providers: [giteaProvider, forgejoProvider],
});
