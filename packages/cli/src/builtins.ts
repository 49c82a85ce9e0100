import type { SentryPlugin } from '@sentry-git/core';
import executorShell from '@sentry-git/executor-shell';
import providerGit from '@sentry-git/provider-git';
import stateSqlite from '@sentry-git/state-sqlite';

/** First-party adapters the CLI always registers; config `plugins` add more. */
export function builtinPlugins(): SentryPlugin[] {
  return [providerGit, executorShell, stateSqlite];
}
