import path from 'node:path';
import { type Job, SentryError } from '@sentry-git/core';
import { cloneQaRepository, createJobDir } from '@sentry-git/executor-kit';
import type { JobOutput } from './output.js';

export interface CheckoutOptions {
  job: Job;
  signal: AbortSignal;
  gitBinary: string;
  killGraceMs: number;
  output: JobOutput;
  /** Told the job directory as soon as it exists, so it is removed even if the clone fails. */
  onJobDir(dir: string): void;
  /** The config key that needs the checkout, for the message when qa_repo_url is missing. */
  neededBy: string;
}

/**
 * Shallow-clones the QA repository into a fresh job directory (as the shell executor does:
 * credentials through git's environment only) and returns the checkout's path.
 */
export async function checkoutQaRepository(options: CheckoutOptions): Promise<string> {
  const { job, signal } = options;
  const url = job.deploy.qa_repo_url;
  if (!url) {
    throw new SentryError(
      'TEKTON_QA_REPO_MISSING',
      `${options.neededBy} reads the QA repository, but deploy.qa_repo_url is not set.`,
      {
        fix: 'Set deploy.qa_repo_url to the repository holding the Tekton files.',
        path: 'deploy.qa_repo_url',
      },
    );
  }
  const jobDir = await createJobDir(job.settings.tmpDir, job.projectName);
  options.onJobDir(jobDir);
  const dir = path.join(jobDir, 'checkout');
  const clone = await cloneQaRepository({
    gitBinary: options.gitBinary,
    url,
    branch: job.deploy.qa_repo_branch,
    auth: job.deploy.auth,
    type: job.deploy.repo_type,
    dir,
    signal,
    killGraceMs: options.killGraceMs,
    output: options.output.sink,
  });
  if (clone.ok) return dir;
  signal.throwIfAborted();
  throw new SentryError('TEKTON_QA_CLONE_FAILED', clone.error, {
    fix: 'Check deploy.qa_repo_url, qa_repo_branch and the credentials in deploy.auth.',
  });
}
