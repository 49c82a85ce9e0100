export * from './errors.js';
export * from './redact.js';
export * from './types.js';
export * from './abort.js';
export * from './events.js';
export type * from './interfaces/provider.js';
export type * from './interfaces/state-store.js';
export type * from './interfaces/executor.js';
export type * from './interfaces/strategy.js';
export * from './config/schema.js';
export { defineConfig } from './config/define.js';
export { expandEnv, formatPath } from './config/expand.js';
export { configJsonSchema } from './config/json-schema.js';
export { type LoadConfigOptions, type LoadedConfig, SEARCH_PLACES, collectSecrets, loadConfig, resolveConfig, resolveRelativePaths } from './config/load.js';
export { type KnownIds, validateConfig } from './config/validate.js';
export * from './plugins/define.js';
export { type Registry, GIT_FALLBACK_TYPES, createRegistry } from './plugins/registry.js';
export { assertPlugin, loadPlugins } from './plugins/load.js';
export { corePlugin } from './plugins/core-plugin.js';
export { parallelStrategy, sequentialStrategy } from './strategies/index.js';
export { createMemoryStateStore, memoryStateStore } from './state/memory.js';
export { compileBranchMatcher } from './engine/matcher.js';
export { detectChanges, isDeployable } from './engine/detector.js';
export { nextPollDelayMs } from './engine/backoff.js';
export {
  type CreateSentryOptions,
  type PollResult,
  type RepositoryStatus,
  type Sentry,
  type TriggerOptions,
  createSentry,
} from './engine/sentry.js';
export { attachEventLogger, createLogger, silentLogger, type CreateLoggerOptions } from './logging.js';
export { defaultUsername, type GitAuthEnv, gitAuthEnv } from './git/auth.js';
export { isHttpUrl, redactUrl, splitUrlCredentials, type UrlCredentials } from './git/url.js';
