import { definePlugin } from '@sentry-git/core';
import { createShellExecutor } from './executor.js';

// Building blocks other executors reuse (the Tekton executor clones the QA repository too).
export { type CloneOptions, type CloneOutcome, cloneQaRepository } from './clone.js';
export { createShellExecutor } from './executor.js';
export { createJobDir, removeJobDir } from './job-dir.js';
export { withJobTimeout } from './job-signal.js';
export type { ShellExecutorOptions } from './options.js';
export { createOutputSink, type OutputSink, type OutputStream } from './output.js';

/** The shell executor with default options. */
export const shellExecutor = createShellExecutor();

export default definePlugin({ name: '@sentry-git/executor-shell', executors: [shellExecutor] });
