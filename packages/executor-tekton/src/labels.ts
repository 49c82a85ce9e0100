import type { Job } from '@sentry-git/core';

/** The labels the executor puts on every PipelineRun it creates. */
export const LABELS = {
  repository: 'sentry-git.dev/repository',
  runId: 'sentry-git.dev/run-id',
  jobId: 'sentry-git.dev/job-id',
  commit: 'sentry-git.dev/commit',
} as const;

/** The label Tekton Triggers puts on everything an EventListener creates for one event. */
export const TRIGGERS_EVENT_ID_LABEL = 'triggers.tekton.dev/triggers-eventid';

/** The label Tekton puts on a PipelineRun's TaskRuns. */
export const PIPELINE_RUN_LABEL = 'tekton.dev/pipelineRun';
export const PIPELINE_TASK_LABEL = 'tekton.dev/pipelineTask';

const MAX_LABEL_VALUE = 63;

/**
 * A valid label value (at most 63 characters of [A-Za-z0-9_.-], starting and ending with a letter
 * or digit; empty is valid): other characters become "-", the ends are trimmed.
 */
export function labelValue(text: string): string {
  const trim = (value: string) => value.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return trim(trim(text.replace(/[^A-Za-z0-9_.-]+/g, '-')).slice(0, MAX_LABEL_VALUE));
}

/** The labels that tie a PipelineRun to its job (reattach after a crash lists by job id). */
export function jobLabels(job: Job): Record<string, string> {
  return {
    [LABELS.repository]: labelValue(job.repository),
    [LABELS.runId]: labelValue(job.runId),
    [LABELS.jobId]: labelValue(job.id),
    [LABELS.commit]: labelValue(job.sha),
  };
}

/** The label selector of the PipelineRuns a job created. */
export function jobSelector(job: Job): string {
  return `${LABELS.jobId}=${labelValue(job.id)}`;
}
