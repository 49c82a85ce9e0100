/**
 * Conformance suites: every implementation of an interface, first-party or plugin, runs the
 * suite for it in one line of its own tests (Keyv's test-suite style); and a harness that drives
 * a real engine from a forge the test scripts (`scriptedForge`), to try a store, strategy or
 * replica set-up under `createSentry`. Requires vitest.
 */

export {
  type OutputEvent,
  type RecordingContext,
  type RecordingContextOptions,
  recordingContext,
} from './context.js';
export { endedNow } from './ended-now.js';
export { nextEvent, recordEvents } from './events.js';
export { describeExecutor, type ExecutorSuiteOptions } from './executor.js';
export { type ForgeRepositoryExtra, forgeRepository, type RepositoryInput } from './forge-repository.js';
export { makeJob } from './job.js';
export { describeGitProvider, type GitProviderSuiteOptions, type RemoteFixture } from './provider.js';
export {
  type Deployed,
  type JobScript,
  type ScriptedForge,
  type ScriptedForgeOptions,
  scriptedForge,
} from './scripted-forge.js';
export { describeStateStore, type StateStoreSuiteOptions } from './state-store/index.js';
