import { definePlugin } from '@sentry-git/core';
import { createGitProvider } from './provider.js';

// The credential rules live in core so the shell executor applies the same ones.
export {
  defaultUsername,
  type GitAuthEnv,
  gitAuthEnv,
  isHttpUrl,
  redactUrl,
  splitUrlCredentials,
  type UrlCredentials,
} from '@sentry-git/core';
export { parseLsRemote } from './parse.js';
export { createGitProvider, type GitProviderOptions } from './provider.js';

/** A git provider with the default options. */
export const gitProvider = createGitProvider();

export default definePlugin({ name: '@sentry-git/provider-git', providers: [gitProvider] });
