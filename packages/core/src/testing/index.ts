/**
 * Conformance suites: every implementation of an interface, first-party or plugin, runs the
 * suite for it in one line of its own tests (Keyv's test-suite style). Requires vitest.
 */

export {
  type OutputEvent,
  type RecordingContext,
  type RecordingContextOptions,
  recordingContext,
} from './context.js';
export { describeExecutor, type ExecutorSuiteOptions } from './executor.js';
export { makeJob } from './job.js';
export { describeGitProvider, type GitProviderSuiteOptions, type RemoteFixture } from './provider.js';
export { describeStateStore, type StateStoreSuiteOptions } from './state-store/index.js';
