import { failure, type StatusError } from './status.js';
import { isRecord, type KubeObject } from './types.js';

/** The `spec.status` values Tekton accepts on a PipelineRun. */
export const PIPELINERUN_SPEC_STATUSES = [
  'Cancelled',
  'CancelledRunFinally',
  'StoppedRunFinally',
  'PipelineRunPending',
] as const;

/**
 * Tekton's mutating webhook: the defaults a real cluster fills in on a new PipelineRun
 * (`config-defaults`): a one-hour pipeline timeout and the `default` service account.
 */
export function defaultPipelineRun(object: KubeObject): void {
  const spec = isRecord(object.spec) ? object.spec : {};
  object.spec = spec;
  const timeouts = isRecord(spec.timeouts) ? spec.timeouts : {};
  if (timeouts.pipeline === undefined) timeouts.pipeline = '1h0m0s';
  spec.timeouts = timeouts;
  const template = isRecord(spec.taskRunTemplate) ? spec.taskRunTemplate : {};
  if (template.serviceAccountName === undefined) template.serviceAccountName = 'default';
  spec.taskRunTemplate = template;
}

function problems(object: KubeObject): string[] {
  const found: string[] = [];
  const spec = isRecord(object.spec) ? object.spec : {};
  const name = object.metadata.name ?? '';
  if (name.length > 63) {
    found.push('Invalid resource name: length must be no more than 63 characters: metadata.name');
  }
  const sources = ['pipelineRef', 'pipelineSpec'].filter((key) => spec[key] !== undefined);
  if (sources.length !== 1) {
    found.push(
      `expected exactly one, got ${sources.length === 0 ? 'neither' : 'both'}: spec.pipelineRef, spec.pipelineSpec`,
    );
  }
  const status = spec.status;
  if (
    status !== undefined &&
    status !== '' &&
    !(PIPELINERUN_SPEC_STATUSES as readonly unknown[]).includes(status)
  ) {
    found.push(
      `invalid value: ${String(status)} should be ${PIPELINERUN_SPEC_STATUSES.slice(0, -1).join(', ')} or ${PIPELINERUN_SPEC_STATUSES.at(-1)}: spec.status`,
    );
  }
  const seen = new Map<string, number>();
  const params = Array.isArray(spec.params) ? spec.params : [];
  params.forEach((param, index) => {
    const paramName = isRecord(param) ? String(param.name) : '';
    const first = seen.get(paramName);
    if (first !== undefined) {
      found.push(
        `parameter names must be unique, the parameter "${paramName}" is also defined at: spec.params[${first}].name`,
      );
    } else {
      seen.set(paramName, index);
    }
  });
  return found;
}

/**
 * Tekton's validating webhook, for the rules the CRD schema cannot express (one pipeline
 * source, a known `spec.status`, unique params, a name short enough to become a label). A real
 * API server answers its denial with 400.
 */
export function pipelineRunDenial(object: KubeObject): StatusError | null {
  const found = problems(object);
  if (found.length === 0) return null;
  return failure(
    400,
    'BadRequest',
    `admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: ${found.join('\n')}`,
  );
}
