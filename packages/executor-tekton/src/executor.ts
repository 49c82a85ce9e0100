import type { Executor } from '@sentry-git/core';
import type { JobRunner } from './job-runner.js';
import { resolveOptions, type TektonExecutorOptions } from './options.js';
import { validateDeploy } from './validate.js';

/**
 * The Tekton executor: creates a PipelineRun (pipelinerun mode), delivers an event to an
 * EventListener (eventlistener mode) or applies a QA repository's `.tekton` folder (apply mode),
 * and follows the PipelineRuns to their end. A job re-run after a crash re-attaches to the
 * PipelineRuns it created instead of creating more; a timeout or shutdown cancels them.
 *
 * Creating and registering it, and `validate()`, load no Kubernetes client: @kubernetes/client-node
 * takes about half a second to import, so the job runner (./job-runner.js) is imported on the
 * first `execute()`, once per executor.
 */
export function createTektonExecutor(options: TektonExecutorOptions = {}): Executor {
  const resolved = resolveOptions(options);
  let runner: Promise<JobRunner> | undefined;
  return {
    id: 'tekton',
    capabilities: { reattach: true },
    validate: validateDeploy,
    async execute(job, context) {
      runner ??= import('./job-runner.js').then(({ createJobRunner }) => createJobRunner(resolved));
      return (await runner)(job, context);
    },
    // A job follows the PipelineRuns its id labels, creating one only when none exists: adopting
    // is running it, and it never starts a second PipelineRun for the job.
    async adopt(job, handle, context) {
      if (handle.executor !== 'tekton') return null;
      return this.execute(job, context);
    },
  };
}
