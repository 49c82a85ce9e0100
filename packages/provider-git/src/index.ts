import { definePlugin } from '@sentry-git/core';
import { createGitProvider } from './provider.js';

export { parseLsRemote } from './parse.js';
export { createGitProvider, type GitProviderOptions } from './provider.js';

/** A git provider with the default options. */
export const gitProvider = createGitProvider();

export default definePlugin({ name: '@sentry-git/provider-git', providers: [gitProvider] });
