import { randomUUID } from 'node:crypto';
import type { ExecutorContext, Job, TektonDeployInput } from '@sentry-git/core';
import { tektonDeploySchema } from '@sentry-git/core/internal';
import { makeJob } from '@sentry-git/core/testing';

/**
 * A job for the tekton executor; `tekton` is the block as written in a config file. Every job
 * gets fresh ids (the executor re-attaches to PipelineRuns of a job id it has seen).
 */
export function tektonJob(tekton: TektonDeployInput, overrides: Parameters<typeof makeJob>[0] = {}): Job {
  const { deploy, ...rest } = overrides;
  return makeJob({
    id: `job_${randomUUID().slice(0, 8)}`,
    runId: `run_${randomUUID().slice(0, 8)}`,
    sha: '0123456789abcdef0123456789abcdef01234567',
    previousSha: 'fedcba9876543210fedcba9876543210fedcba98',
    repoUrl: 'https://github.com/acme/rag.git',
    repository: 'rag-service',
    projectName: 'rag',
    ...rest,
    deploy: { executor: 'tekton', commands: undefined, ...deploy, tekton: tektonDeploySchema.parse(tekton) },
  });
}

/** Runs `action` once, the first time the job writes a chunk matching `pattern`. */
export function onFirstOutput(context: ExecutorContext, pattern: RegExp, action: () => void): void {
  const output = context.output;
  let done = false;
  context.output = (stream, text) => {
    output(stream, text);
    if (!done && pattern.test(text)) {
      done = true;
      action();
    }
  };
}
