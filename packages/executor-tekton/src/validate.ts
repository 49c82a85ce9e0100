import { type DeployConfig, isSentryError, type TektonDeployConfig } from '@sentry-git/core';
import { formatPath, tektonDeploySchema } from '@sentry-git/core/internal';
import { checkTemplate } from './pipelinerun/build.js';
import { describeUnknownVariables, unknownVariables } from './variables.js';

export interface Problem {
  key: string;
  message: string;
}

const EXAMPLE =
  'e.g. tekton: { pipeline_ref: deploy, params: { revision: "$(sentry.sha)" } }, or tekton: { mode: eventlistener, event_listener_url: http://el-ci.tekton-pipelines.svc:8080 }';

const TEMPLATE_KEYS = ['pipeline_ref', 'pipelinerun', 'pipelinerun_file'] as const;

function variableProblems(block: TektonDeployConfig): Problem[] {
  const problems: Problem[] = [];
  const check = (key: string, value: unknown) => {
    const unknown = unknownVariables(value);
    if (unknown.length > 0) problems.push({ key, message: describeUnknownVariables(unknown) });
  };
  for (const [name, value] of Object.entries(block.params ?? {}))
    check(formatPath(['tekton', 'params', name]), value);
  for (const [name, value] of Object.entries(block.labels ?? {}))
    check(formatPath(['tekton', 'labels', name]), value);
  check('tekton.pipelinerun', block.pipelinerun);
  check('tekton.pipeline_ref', block.pipeline_ref);
  check('tekton.generate_name', block.generate_name);
  return problems;
}

function pipelineRunModeProblems(deploy: DeployConfig, block: TektonDeployConfig): Problem[] {
  const set = TEMPLATE_KEYS.filter((key) => block[key] !== undefined);
  if (set.length === 0) {
    return [
      {
        key: 'tekton.pipeline_ref',
        message:
          'pipelinerun mode needs one of pipeline_ref (a Pipeline name), pipelinerun (an inline PipelineRun) or pipelinerun_file (a file in the QA repository); e.g. pipeline_ref: deploy',
      },
    ];
  }
  if (set.length > 1) {
    return [
      {
        key: `tekton.${set[1]}`,
        message: `is set together with ${set[0]}; keep only one of ${set.join(', ')}`,
      },
    ];
  }
  const problems: Problem[] = [];
  if (block.pipelinerun_file && !deploy.qa_repo_url) {
    problems.push({
      key: 'qa_repo_url',
      message: `tekton.pipelinerun_file (${block.pipelinerun_file}) is read from the QA repository; set qa_repo_url to it`,
    });
  }
  if (block.pipelinerun) {
    try {
      checkTemplate(block.pipelinerun, 'the inline PipelineRun');
    } catch (error) {
      if (!isSentryError(error)) throw error;
      problems.push({ key: 'tekton.pipelinerun', message: error.message });
    }
  }
  return problems;
}

function misplaced(
  block: TektonDeployConfig,
  keys: readonly (keyof TektonDeployConfig)[],
  mode: string,
): Problem[] {
  return keys
    .filter((key) => block[key] !== undefined)
    .map((key) => ({
      key: `tekton.${key}`,
      message: `is not used in ${mode} mode; set mode to the one it belongs to, or remove it`,
    }));
}

function modeProblems(deploy: DeployConfig, block: TektonDeployConfig): Problem[] {
  switch (block.mode) {
    case 'pipelinerun':
      return [
        ...pipelineRunModeProblems(deploy, block),
        ...misplaced(block, ['event_listener_url'], 'pipelinerun'),
      ];
    case 'eventlistener':
      return [
        ...(block.event_listener_url
          ? []
          : [
              {
                key: 'tekton.event_listener_url',
                message:
                  "eventlistener mode needs the EventListener's address, e.g. event_listener_url: http://el-ci.tekton-pipelines.svc.cluster.local:8080",
              },
            ]),
        ...misplaced(block, TEMPLATE_KEYS, 'eventlistener'),
      ];
    case 'apply':
      return [
        ...(deploy.qa_repo_url
          ? []
          : [
              {
                key: 'qa_repo_url',
                message: `apply mode applies the ${block.tekton_dir} folder of the QA repository; set qa_repo_url to it`,
              },
            ]),
        ...misplaced(block, [...TEMPLATE_KEYS, 'event_listener_url'], 'apply'),
      ];
  }
}

/** Config-time checks of a deploy block the Tekton executor runs; keys are relative to the block. */
export function validateDeploy(deploy: DeployConfig): Problem[] {
  if (deploy.tekton === undefined) {
    return [{ key: 'tekton', message: `the tekton executor needs a deploy.tekton block; ${EXAMPLE}` }];
  }
  // A library user may hand over a block that never went through the config loader.
  const parsed = tektonDeploySchema.safeParse(deploy.tekton);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      key: formatPath([
        'tekton',
        ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
      ]),
      message: issue.message,
    }));
  }
  return [...modeProblems(deploy, parsed.data), ...variableProblems(parsed.data)];
}
