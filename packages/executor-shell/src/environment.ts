import type { Job } from '@sentry-git/core';

/**
 * The commands' environment: ours, then `deploy.env`, then the SENTRY_* variables (they win, so
 * a deploy always sees the truth about the job). The QA repository's credentials are not in it.
 */
export function commandEnvironment(job: Job, workdir: string): Record<string, string | undefined> {
  return {
    ...process.env,
    ...job.deploy.env,
    SENTRY_REPO: job.repository,
    SENTRY_PROJECT: job.projectName,
    SENTRY_BRANCH: job.branch,
    SENTRY_COMMIT: job.sha,
    SENTRY_PREVIOUS_COMMIT: job.previousSha ?? '',
    SENTRY_REPO_URL: job.repoUrl,
    SENTRY_GROUP: job.group ?? '',
    SENTRY_RUN_ID: job.runId,
    SENTRY_JOB_ID: job.id,
    SENTRY_TRIGGER: job.trigger,
    SENTRY_WORKDIR: workdir,
  };
}
