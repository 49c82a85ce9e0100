import { definePlugin } from '@sentry-git/core';
import { createShellExecutor } from './executor.js';

export { createShellExecutor } from './executor.js';
export type { ShellExecutorOptions } from './options.js';

/** The shell executor with default options. */
export const shellExecutor = createShellExecutor();

export default definePlugin({ name: '@sentry-git/executor-shell', executors: [shellExecutor] });
