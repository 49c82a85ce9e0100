import { type Job, SentryError, type TektonDeployConfig } from '@sentry-git/core';
import type { TektonRun } from '../kube/types.js';
import { jobLabels, labelValue } from '../labels.js';
import { expandVariables, type JobVariables } from '../variables.js';
import { mergeParams } from './params.js';

export const PIPELINE_RUN_API_VERSION = 'tekton.dev/v1';

/** The API server appends 5 random characters to generateName and keeps names within 63. */
const MAX_GENERATE_NAME = 58;

export interface BuildInput {
  /** The template (inline, from a file, or a `.tekton` manifest); undefined = from pipeline_ref. */
  template: Record<string, unknown> | undefined;
  /** Where the template came from, for messages ("deploy.tekton.pipelinerun", ".tekton/run.yaml"). */
  source: string;
  block: TektonDeployConfig;
  job: Job;
  variables: JobVariables;
  /** The namespace when neither the block nor the template names one (the context's). */
  defaultNamespace: string;
}

function templateError(source: string, message: string, fix: string): SentryError {
  return new SentryError('TEKTON_TEMPLATE_INVALID', `${source}: ${message}`, { fix });
}

/** Checks that a template is a tekton.dev/v1 PipelineRun; explains the v1beta1 case. */
export function checkTemplate(template: Record<string, unknown>, source: string): void {
  if (template.kind !== 'PipelineRun') {
    throw templateError(
      source,
      `is a ${String(template.kind ?? 'document without kind')}, not a PipelineRun`,
      'Give a PipelineRun (kind: PipelineRun, apiVersion: tekton.dev/v1).',
    );
  }
  if (template.apiVersion === 'tekton.dev/v1beta1') {
    throw templateError(
      source,
      'is a tekton.dev/v1beta1 PipelineRun; the executor creates tekton.dev/v1 (v1beta1 is deprecated and its fields differ: serviceAccountName moved to taskRunTemplate.serviceAccountName, timeout to timeouts.pipeline)',
      'Convert it to apiVersion: tekton.dev/v1 (see https://tekton.dev/docs/pipelines/migrating-v1beta1-to-v1/).',
    );
  }
  if (template.apiVersion !== PIPELINE_RUN_API_VERSION) {
    throw templateError(
      source,
      `has apiVersion ${String(template.apiVersion ?? '(none)')}`,
      `Use apiVersion: ${PIPELINE_RUN_API_VERSION}.`,
    );
  }
}

function fromPipelineRef(block: TektonDeployConfig): Record<string, unknown> {
  const ref = block.pipeline_ref;
  if (ref === undefined) {
    throw new SentryError(
      'TEKTON_TEMPLATE_MISSING',
      'deploy.tekton has no pipeline_ref, pipelinerun or pipelinerun_file.',
      {
        fix: 'Set one of them, e.g. pipeline_ref: deploy (the name of a Pipeline in the namespace).',
      },
    );
  }
  return {
    apiVersion: PIPELINE_RUN_API_VERSION,
    kind: 'PipelineRun',
    metadata: {},
    spec: { pipelineRef: typeof ref === 'string' ? { name: ref } : ref },
  };
}

/** A prefix the API server accepts: lowercase DNS characters, ending where the random suffix goes. */
function generateNamePrefix(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, MAX_GENERATE_NAME);
  return cleaned || 'sentry-git-';
}

function generateName(
  block: TektonDeployConfig,
  metadata: Record<string, unknown>,
  job: Job,
  variables: JobVariables,
): string {
  if (block.generate_name) {
    return generateNamePrefix(expandVariables(block.generate_name, variables, 'deploy.tekton.generate_name'));
  }
  if (typeof metadata.generateName === 'string' && metadata.generateName) {
    return generateNamePrefix(metadata.generateName);
  }
  if (typeof metadata.name === 'string' && metadata.name) return generateNamePrefix(`${metadata.name}-`);
  return generateNamePrefix(`${job.projectName}-`);
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * The PipelineRun to create for a job: the template (or a pipelineRef) with `$(sentry.*)`
 * expanded, the block's params merged, its service account, namespace, a generateName (never
 * a fixed name: a second deploy must not collide with the first) and the job's labels.
 */
export function buildPipelineRun(input: BuildInput): TektonRun {
  const { block, job, variables } = input;
  const base = input.template ? structuredClone(input.template) : fromPipelineRef(block);
  checkTemplate(base, input.source);
  const run = expandVariables(base, variables, input.source);
  const spec = { ...((run.spec as Record<string, unknown> | undefined) ?? {}) };
  const metadata = { ...((run.metadata as Record<string, unknown> | undefined) ?? {}) };

  if (block.params)
    spec.params = mergeParams(spec.params, expandVariables(block.params, variables, 'deploy.tekton.params'));
  if (block.service_account) {
    const taskRunTemplate = (spec.taskRunTemplate as Record<string, unknown> | undefined) ?? {};
    spec.taskRunTemplate = { ...taskRunTemplate, serviceAccountName: block.service_account };
  }

  const extraLabels = expandVariables(block.labels ?? {}, variables, 'deploy.tekton.labels');
  const labels: Record<string, string> = {
    ...stringRecord(metadata.labels),
    ...Object.fromEntries(Object.entries(extraLabels).map(([key, value]) => [key, labelValue(value)])),
    // Last, so a template cannot break reattach by overriding them.
    ...jobLabels(job),
  };
  const namespace =
    block.namespace ??
    (typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined);
  // Also drops what a `kubectl get -o yaml` copy carries from the object it was taken from.
  const {
    name: _name,
    generateName: _generateName,
    namespace: _namespace,
    uid: _uid,
    resourceVersion: _resourceVersion,
    creationTimestamp: _creationTimestamp,
    managedFields: _managedFields,
    ...rest
  } = metadata;
  const { status: _status, ...object } = run;
  return {
    ...object,
    metadata: {
      ...rest,
      generateName: generateName(block, metadata, job, variables),
      namespace: namespace ?? input.defaultNamespace,
      labels,
    },
    spec,
  };
}
