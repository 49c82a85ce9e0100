import { definePlugin } from '@sentry-git/core';
import { createGitlabProvider } from './provider.js';

export { type GitlabAddress, gitlabAddress } from './address.js';
export type { GitlabProviderOptions } from './options.js';
export { createGitlabProvider } from './provider.js';
export { rateLimitOf, resetTimeOf } from './rate-limit.js';
export { type GitlabStatusState, STATE_MAP } from './status.js';
export { parseGitlabWebhook } from './webhook.js';

/** A GitLab provider with the default options (`repo_type: gitlab`). */
export const gitlabProvider = createGitlabProvider();

export default definePlugin({ name: '@sentry-git/provider-gitlab', providers: [gitlabProvider] });
