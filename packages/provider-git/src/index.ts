import { definePlugin } from '@sentry-git/core';
import { createGitProvider } from './provider.js';

export { type GitAuthEnv, defaultUsername, gitAuthEnv } from './auth.js';
export { parseLsRemote } from './parse.js';
export { createGitProvider, DEFAULT_GIT_TIMEOUT_MS, type GitProviderOptions } from './provider.js';
export { isHttpUrl, redactUrl, splitUrlCredentials, type UrlCredentials } from './url.js';

/** A git provider with the default options. */
export const gitProvider = createGitProvider();

export default definePlugin({ name: '@sentry-git/provider-git', providers: [gitProvider] });
