// The public API of @sentry-git/core: what an embedder (createSentry, loadConfig, events) or a
// plugin author (definePlugin, the interfaces, errors, redaction, abort helpers) uses. Helpers
// shared only between sentry-git's own packages live in ./internal.ts (`@sentry-git/core/internal`,
// not covered by semver); conformance suites in ./testing (`@sentry-git/core/testing`).
// test/public-api.test.ts compares this list with public-api.txt: a name added here is a decision.
export {
  abortMessage,
  createOutputTail,
  isTimeoutReason,
  outcomeOfAbort,
  RunCancelledError,
  ShutdownError,
  skippedResult,
  timeoutError,
} from './abort.js';
export { defineConfig } from './config/define.js';
export { configJsonSchema } from './config/json-schema.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './config/load.js';
export {
  type ApiTokenConfig,
  type AuthConfig,
  configSchema,
  type DeployConfig,
  type GlobalConfig,
  type GroupConfig,
  type MonitorConfig,
  type NotificationsConfig,
  type PluginSpec,
  type RepositoryConfig,
  type SentryConfig,
  type SentryConfigInput,
  type ServerConfig,
} from './config/schema.js';
export type { ConfigSource } from './config/simple-sentry.js';
export type {
  EventPayloadFormat,
  TektonDeployConfig,
  TektonDeployInput,
  TektonMode,
} from './config/tekton-schema.js';
export { type KnownIds, validateConfig } from './config/validate.js';
export {
  type ActorOptions,
  type CancelResult,
  type CreateSentryOptions,
  createSentry,
  type DeployPlan,
  type DeployRequest,
  type FollowJobOptions,
  type PauseTarget,
  type PlannedChange,
  type PlannedUnit,
  type PollRequest,
  type PollResult,
  type PushHint,
  type ReplicaView,
  type RepositoryStatus,
  type ResumeResult,
  type Sentry,
  type StopOptions,
  type TriggerOptions,
} from './engine/sentry.js';
export {
  type EngineLockedDetails,
  type EngineLockHolder,
  engineLockedDetails,
  engineLockedError,
} from './engine-lock.js';
export * from './error-codes.js';
export * from './errors.js';
export type {
  EventBus,
  SentryEventHandler,
  SentryEventName,
  SentryEvents,
  SharedEvent,
  SharedEvents,
} from './events.js';
export { redactUrl } from './git/url.js';
export { createPooledFetch, type PooledFetchOptions, type PooledResponse } from './http/pooled-fetch.js';
export {
  DEFAULT_RATE_LIMIT_WAIT_MS,
  type HeaderSource,
  type HttpFailureCode,
  type HttpFailureInput,
  type HttpFailureWords,
  httpFailure,
  httpFailureCode,
  isRetryableStatus,
  parseResetTime,
  rateLimitResetAt,
  readRateLimitHeaders,
} from './http-status.js';
export type * from './interfaces/coordination.js';
export type * from './interfaces/executor.js';
export type * from './interfaces/provider.js';
export type * from './interfaces/state-store.js';
export type * from './interfaces/state-transfer.js';
export type * from './interfaces/strategy.js';
export { type CreateLoggerOptions, createLogger, silentLogger } from './logging.js';
export * from './plugins/define.js';
export { loadPlugins } from './plugins/load.js';
export type { Registry } from './plugins/registry.js';
export * from './redact.js';
export { createMemoryStateStore, memoryStateStore } from './state/memory.js';
export * from './state/rules/index.js';
export { checkStateRecords, isEmptyState, stateNotEmptyError } from './state/transfer/index.js';
export { type ObservedStateStore, type StateWriteHealth, stateWriteHealth } from './state/write-health.js';
export {
  type ActionStamp,
  type BranchHead,
  type ChangeKind,
  type HeadChange,
  type HeadRecord,
  type Job,
  type JobHandle,
  type JobOutcome,
  type JobRecord,
  type JobResult,
  type JobSpec,
  type JobStatus,
  OUTPUT_TAIL_BYTES,
  type PauseRecord,
  type RunRecord,
  type RunSpec,
  type RunStatus,
  SEPARATE_TRIGGERS,
  type TriggerKind,
  type UnitKey,
} from './types.js';
