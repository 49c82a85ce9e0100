import type { SentryPlugin } from '@sentry-git/core';
import executorShell from '@sentry-git/executor-shell';
import executorTekton from '@sentry-git/executor-tekton';
import providerGit from '@sentry-git/provider-git';
import providerGitea from '@sentry-git/provider-gitea';
import providerGithub from '@sentry-git/provider-github';
import providerGitlab from '@sentry-git/provider-gitlab';
import statePostgres from '@sentry-git/state-postgres';
import stateSqlite from '@sentry-git/state-sqlite';

/** First-party adapters the CLI always registers; config `plugins` add more. */
export function builtinPlugins(): SentryPlugin[] {
  return [
    providerGit,
    providerGithub,
    providerGitlab,
    providerGitea,
    executorShell,
    executorTekton,
    stateSqlite,
    statePostgres,
  ];
}
