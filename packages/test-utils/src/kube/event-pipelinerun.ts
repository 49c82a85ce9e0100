import type { InterceptorKind } from './interceptors.js';
import { isRecord, type KubeObject } from './types.js';

function at(value: unknown, ...path: string[]): string {
  let node = value;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  return typeof node === 'string' ? node : '';
}

/** The values a TriggerBinding would pull from each payload layout. */
function bindings(interceptor: InterceptorKind, body: unknown): Record<string, string> {
  if (interceptor === 'cloudevents') {
    return {
      revision: at(body, 'commit', 'sha'),
      'git-url': at(body, 'repository', 'url'),
      branch: at(body, 'branch', 'name'),
    };
  }
  const url =
    interceptor === 'github' ? at(body, 'repository', 'clone_url') : at(body, 'project', 'git_http_url');
  return {
    revision: at(body, 'after'),
    'git-url': url,
    branch: at(body, 'ref').replace(/^refs\/heads\//, ''),
  };
}

/**
 * What the default TriggerTemplate makes of an event: a small valid v1 PipelineRun of the
 * `deploy` Pipeline with `revision`, `git-url` and `branch` params bound from the payload.
 */
export function eventPipelineRun(interceptor: InterceptorKind, listener: string, body: unknown): KubeObject {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { generateName: `${listener}-run-` },
    spec: {
      pipelineRef: { name: 'deploy' },
      params: Object.entries(bindings(interceptor, body)).map(([name, value]) => ({ name, value })),
    },
  };
}
