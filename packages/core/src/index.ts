export * from './abort.js';
export { defineConfig } from './config/define.js';
export { MAX_DURATION_SECONDS } from './config/duration.js';
export { expandEnv, explainUnsetVariables, formatPath } from './config/expand.js';
export { configJsonSchema } from './config/json-schema.js';
export { CONFIG_LIMITS } from './config/limits.js';
export {
  collectSecrets,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  resolveConfig,
  resolveRelativePaths,
  SEARCH_PLACES,
} from './config/load.js';
export { parseYamlConfig } from './config/parse-yaml.js';
export * from './config/schema.js';
export {
  type ConfigSource,
  isSimpleSentryConfig,
  type MappingNote,
  simpleSentrySchema,
  translateSimpleSentry,
} from './config/simple-sentry.js';
export * from './config/tekton-schema.js';
export { type KnownIds, validateConfig } from './config/validate.js';
export { didYouMean } from './did-you-mean.js';
export { DOCS_LOCATION, type DocsPage, docsHint } from './docs.js';
export { nextPollDelayMs } from './engine/backoff.js';
export {
  type BranchPatternProblem,
  branchPatternProblem,
  compileBranchPattern,
} from './engine/branch-pattern.js';
export { detectChanges, isDeployable } from './engine/detector.js';
export { compileBranchMatcher, literalBranch, literalBranches } from './engine/matcher.js';
export { attachNotifier, type Notifier, type NotifierOptions } from './engine/notify.js';
export type { RunSummary } from './engine/notify-summary.js';
export {
  type CreateSentryOptions,
  createSentry,
  type PollResult,
  type RepositoryStatus,
  type Sentry,
  type StopOptions,
  type TriggerOptions,
} from './engine/sentry.js';
export { repositoryStatus } from './engine/status.js';
export {
  type EngineLockedDetails,
  type EngineLockHolder,
  engineLockAdvice,
  engineLockedDetails,
  engineLockedError,
} from './engine-lock.js';
export * from './errors.js';
export * from './events.js';
export { defaultUsername, type GitAuthEnv, gitAuthEnv } from './git/auth.js';
export { classifyGitStderr, type GitRemoteProblem } from './git/failure.js';
export { isHttpUrl, redactUrl, splitUrlCredentials, type UrlCredentials } from './git/url.js';
export { createPooledFetch, type PooledFetchOptions, type PooledResponse } from './http/pooled-fetch.js';
export type * from './interfaces/executor.js';
export type * from './interfaces/provider.js';
export type * from './interfaces/state-store.js';
export type * from './interfaces/strategy.js';
export { createKeyedQueue, type KeyedQueue } from './keyed-queue.js';
export {
  type HeldLockFile,
  type LockFileContent,
  type LockHolder,
  lockFileText,
  lockHolderAlive,
  parseLockFile,
  processIdentity,
  readLockFile,
  readLockFileSync,
  tryLockFile,
} from './lock-file.js';
export { attachEventLogger, type CreateLoggerOptions, createLogger, silentLogger } from './logging.js';
export { corePlugin } from './plugins/core-plugin.js';
export * from './plugins/define.js';
export { assertPlugin, loadPlugins } from './plugins/load.js';
export { createRegistry, GIT_FALLBACK_TYPES, type Registry } from './plugins/registry.js';
export { plural } from './plural.js';
export * from './redact.js';
export { abortableDelay, backoffDelay } from './retry.js';
export { hmacSha256, hmacSha256Hex, safeEqual } from './signature.js';
export { createMemoryStateStore, memoryStateStore } from './state/memory.js';
export { noPollFailures } from './state/no-poll-failures.js';
export { parallelStrategy, sequentialStrategy } from './strategies/index.js';
export { MAX_TIMER_MS, timeoutSignal, timerDelay } from './timer-delay.js';
export * from './types.js';
