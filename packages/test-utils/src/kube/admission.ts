import { metadataErrors } from './metadata-rules.js';
import type { PipelineRunValidator } from './pipelinerun-validator.js';
import { groupVersion, type ResourceType } from './resources.js';
import { badRequest, invalid, type StatusCause } from './status.js';
import { defaultPipelineRun, pipelineRunDenial } from './tekton-webhook.js';
import { isRecord, type KubeObject } from './types.js';

/** Reads a request body as an object of the endpoint's kind, as the API server decodes it. */
export function decodeObject(type: ResourceType, body: unknown): KubeObject {
  if (!isRecord(body)) throw badRequest('the body of the request must be a JSON object');
  if (body.kind === undefined || body.kind === '') {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  }
  const expected = groupVersion(type);
  if (body.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (body.kind !== type.kind) {
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`,
    );
  }
  const metadata = body.metadata === undefined ? {} : body.metadata;
  if (!isRecord(metadata)) throw badRequest('metadata must be an object');
  return { ...body, metadata } as KubeObject;
}

function isV1PipelineRun(type: ResourceType): boolean {
  return type.group === 'tekton.dev' && type.version === 'v1' && type.kind === 'PipelineRun';
}

/**
 * Admission as a cluster with Tekton runs it, in the API server's order: mutating webhook
 * (Tekton defaults), schema validation against the CRD (422), ObjectMeta validation (422),
 * validating webhook (400).
 */
export function admit(type: ResourceType, object: KubeObject, validator: PipelineRunValidator | null): void {
  const name = object.metadata.name ?? '';
  const causes: StatusCause[] = [];
  if (isV1PipelineRun(type)) {
    defaultPipelineRun(object);
    if (validator) {
      const result = validator(object);
      causes.push(
        ...result.errors.map((error) => ({
          reason: error.reason,
          message: error.message,
          field: error.path,
        })),
      );
    }
  }
  causes.push(...metadataErrors(object));
  if (causes.length > 0) throw invalid(type, name, causes);
  if (isV1PipelineRun(type)) {
    const denial = pipelineRunDenial(object);
    if (denial) throw denial;
  }
}
