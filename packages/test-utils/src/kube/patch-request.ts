import { parse as parseYaml } from 'yaml';
import { JsonPatchError, jsonPatch, mergePatch } from './patch.js';
import type { ResourceType } from './resources.js';
import { badRequest, failure, unsupportedMediaType } from './status.js';
import { isRecord, type KubeObject } from './types.js';

export const APPLY_PATCH = 'application/apply-patch+yaml';

const PATCH_TYPES = [
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  APPLY_PATCH,
];

/** The media type of a PATCH, checked as the API server checks it (415 for what it cannot take). */
export function patchType(type: ResourceType, contentType: string): string {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  // Custom resources have no Go struct tags to merge by: strategic merge is refused on them.
  if (!PATCH_TYPES.includes(mediaType) || (mediaType === PATCH_TYPES[2] && type.custom)) {
    throw unsupportedMediaType(mediaType);
  }
  return mediaType;
}

/** The body of a server-side apply: YAML (JSON is YAML too). */
export function appliedBody(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
}

/** `previous` after a merge, strategic-merge (lists replaced) or JSON patch. */
export function patched(previous: KubeObject, mediaType: string, text: string): KubeObject {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
  let next: unknown;
  if (mediaType === 'application/json-patch+json') {
    try {
      next = jsonPatch(previous, body);
    } catch (error) {
      if (!(error instanceof JsonPatchError)) throw error;
      throw failure(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${error.message}`,
      );
    }
  } else {
    next = mergePatch(previous, body);
  }
  if (!isRecord(next) || !isRecord(next.metadata)) throw badRequest('the patch left no object metadata');
  return next as KubeObject;
}
