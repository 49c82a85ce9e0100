// @sentry-git/core/internal: helpers shared between sentry-git's own packages (the CLI, the
// server, the providers, executors and stores). NOT covered by semver: a minor or patch release
// may change or remove any of these. Plugins and programs import from `@sentry-git/core`.
export { signalWithDeadline } from './abort.js';
export { MAX_DURATION_SECONDS } from './config/duration.js';
export { expandEnv, explainUnsetVariables, formatPath } from './config/expand.js';
export { CONFIG_LIMITS } from './config/limits.js';
export { collectSecrets, resolveConfig, resolveRelativePaths, SEARCH_PLACES } from './config/load.js';
export { parseYamlConfig } from './config/parse-yaml.js';
export {
  authSchema,
  DNS_1123_LABEL,
  defaultTmpDir,
  deploySchema,
  globalSchema,
  groupSchema,
  LOG_LEVELS,
  monitorSchema,
  notificationsSchema,
  pluginSpecSchema,
  repositorySchema,
  serverSchema,
  stateSchema,
  toDns1123Label,
} from './config/schema.js';
export {
  isSimpleSentryConfig,
  type MappingNote,
  simpleSentrySchema,
  translateSimpleSentry,
} from './config/simple-sentry.js';
export {
  EVENT_PAYLOADS,
  TEKTON_JOB_VARIABLES,
  TEKTON_MODES,
  tektonDeploySchema,
} from './config/tekton-schema.js';
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
export { repositoryStatus } from './engine/status.js';
export { engineLockAdvice } from './engine-lock.js';
export { createEventBus } from './events.js';
export { defaultUsername, type GitAuthEnv, gitAuthEnv } from './git/auth.js';
export { classifyGitStderr, type GitRemoteProblem } from './git/failure.js';
export { isHttpUrl, splitUrlCredentials, type UrlCredentials } from './git/url.js';
export { type DigestedBody, type KnownAnswer, readDigested } from './http/answer-digest.js';
export { insideApiRoot } from './http/api-root.js';
export { MAX_REDIRECTS, plainHeaders, REDIRECT_STATUSES } from './http/redirect-rules.js';
export { followInsideApiRoot } from './http/redirects.js';
export { createKeyedQueue, type KeyedQueue } from './keyed-queue.js';
export {
  type LockFileContent,
  type LockHolder,
  lockFileText,
  lockHolderAlive,
  parseLockFile,
  processIdentity,
  readLockFile,
  readLockFileSync,
} from './lock-file.js';
export {
  type HeldLockFile,
  type HeldLockFileSync,
  type LockAttempt,
  takeLockFile,
  tryLockFile,
} from './lock-take.js';
export { attachEventLogger } from './logging.js';
export { corePlugin } from './plugins/core-plugin.js';
export { assertPlugin } from './plugins/load.js';
export { createRegistry, GIT_FALLBACK_TYPES } from './plugins/registry.js';
export { plural } from './plural.js';
export { abortableDelay, backoffDelay, type RetryAttempt, type RetryOptions, retry } from './retry.js';
export { decodeNotice, encodeNotice, MAX_NOTICE_BYTES } from './shared-notice.js';
export { hmacSha256, hmacSha256Hex, safeEqual } from './signature.js';
export {
  type ColumnChange,
  cancelPatchColumns,
  columnChanges,
  type HeadRow,
  handleToColumn,
  headFromRow,
  headsByRepository,
  JOB_PATCH_COLUMNS,
  type JobRow,
  jobFromRow,
  jobPatchColumns,
  jobToRow,
  type PauseRow,
  type PollFailureRow,
  pauseFromRow,
  pauseToRow,
  pollHealthFromRow,
  RUN_CANCEL_COLUMNS,
  RUN_PATCH_COLUMNS,
  RUN_UPDATE_COLUMNS,
  type RunRow,
  runFromRows,
  runsWithJobs,
  runToRow,
  stampToColumn,
} from './state/rows.js';
export {
  COUNT_STATE_SQL,
  type CountsRow,
  canonicalRecord,
  countsFromRow,
  createStateRecordChecker,
  describeStateCounts,
  emptyStateCounts,
  headRecordFromRow,
  headRowOf,
  pauseRecordFromRow,
  pauseRowOf,
  pollFailureRowOf,
  pollHealthRecordFromRow,
  type RepositoryRow,
  readStateExport,
  repositoryRecordFromRow,
  STATE_EXPORT_FORMAT,
  STATE_EXPORT_VERSION,
  STATE_TABLES,
  type StateExportEnd,
  type StateExportHeader,
  type StateRecordChecker,
  stateExportLines,
} from './state/transfer/index.js';
export { observeStateWrites } from './state/write-health.js';
export { parallelStrategy, sequentialStrategy } from './strategies/index.js';
export { type Deadline, deadlineSignal, MAX_TIMER_MS, timeoutSignal, timerDelay } from './timer-delay.js';
export { FINISHED_JOB_STATUSES, unitKeyOf } from './types.js';
