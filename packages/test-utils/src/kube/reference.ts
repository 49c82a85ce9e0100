import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared reference folder (real third-party data) sits beside the repository, at
 * `../shared/reference`. A user's clone does not have it: tests that need it skip.
 */
const REFERENCE = fileURLToPath(new URL('../../../../../shared/reference/', import.meta.url));

/** A path inside `../shared/reference`, e.g. `referencePath('tekton', '300-pipelinerun.yaml')`. */
export function referencePath(...segments: string[]): string {
  return path.join(REFERENCE, ...segments);
}

/** Whether the reference folder (with the Tekton CRD) is present; use with `it.skipIf(!hasReference())`. */
export function hasReference(): boolean {
  return existsSync(referencePath('tekton', '300-pipelinerun.yaml'));
}
