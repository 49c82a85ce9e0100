import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { referencePath } from './reference.js';
import { isRecord } from './types.js';

/** One schema violation, with the field named the way the API server names it (`spec.params[0].value`). */
export interface PipelineRunError {
  path: string;
  message: string;
  /** The API server's cause reason: FieldValueRequired, FieldValueTypeInvalid, FieldValueNotSupported, FieldValueInvalid. */
  reason: string;
}

export interface PipelineRunValidation {
  valid: boolean;
  errors: PipelineRunError[];
}

export type PipelineRunValidator = (object: unknown) => PipelineRunValidation;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The formats the CRD schema uses, checked as the API server checks them. */
const FORMATS = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  'date-time': (text: string) => DATE_TIME.test(text),
  // Tekton documents durations with a URL in `format`; the API server ignores unknown formats.
  'https://golang.org/pkg/time/#ParseDuration': () => true,
} as const;

/** `/spec/params/0` + `value` → `spec.params[0].value`. */
function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  let field = '';
  for (const part of parts) {
    const decoded = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(decoded)) field += `[${decoded}]`;
    else field += field === '' ? decoded : `.${decoded}`;
  }
  return field;
}

function valueAt(object: unknown, instancePath: string): unknown {
  let node = object;
  for (const part of instancePath.split('/').slice(1)) {
    node = Array.isArray(node) || isRecord(node) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** Turns an ajv error into the API server's wording for the same structural-schema rule. */
function toFieldError(error: ErrorObject, object: unknown): PipelineRunError {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return {
      path: fieldPath(error.instancePath, String(params.missingProperty)),
      message: 'Required value',
      reason: 'FieldValueRequired',
    };
  }
  const path = fieldPath(error.instancePath);
  const value = valueAt(object, error.instancePath);
  const shown = JSON.stringify(value) ?? 'null';
  if (error.keyword === 'type') {
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return {
      path,
      message: `Invalid value: "${actual}": ${path} in body must be of type ${String(params.type)}: "${actual}"`,
      reason: 'FieldValueTypeInvalid',
    };
  }
  if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return {
      path,
      message: `Unsupported value: ${shown}: supported values: ${allowed}`,
      reason: 'FieldValueNotSupported',
    };
  }
  return {
    path,
    message: `Invalid value: ${shown}: ${path} in body ${error.message ?? 'is invalid'}`,
    reason: 'FieldValueInvalid',
  };
}

/**
 * A validator compiled from the `tekton.dev/v1` `openAPIV3Schema` of the real PipelineRun CRD
 * (`../shared/reference/tekton/300-pipelinerun.yaml`). Compiling takes about half a second:
 * create one and reuse it. Besides the schema it checks `apiVersion` and `kind`, which the
 * API server checks against the endpoint. Throws when the reference folder is absent (see
 * `hasReference()`).
 */
export function createPipelineRunValidator(): PipelineRunValidator {
  const file = referencePath('tekton', '300-pipelinerun.yaml');
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
  };
  const v1 = crd.spec.versions.find((version) => version.name === 'v1');
  if (!v1) throw new Error(`${file} has no tekton.dev/v1 version: is it the PipelineRun CRD?`);
  const ajv = new Ajv({ strict: false, allErrors: true, formats: FORMATS });
  const validate = ajv.compile(v1.schema.openAPIV3Schema);

  return (object) => {
    const errors: PipelineRunError[] = [];
    if (!isRecord(object)) {
      return {
        valid: false,
        errors: [{ path: '', message: 'a PipelineRun must be an object', reason: 'FieldValueInvalid' }],
      };
    }
    if (object.apiVersion !== 'tekton.dev/v1') {
      errors.push({
        path: 'apiVersion',
        message: `Unsupported value: ${JSON.stringify(object.apiVersion)}: supported values: "tekton.dev/v1"`,
        reason: 'FieldValueNotSupported',
      });
    }
    if (object.kind !== 'PipelineRun') {
      errors.push({
        path: 'kind',
        message: `Unsupported value: ${JSON.stringify(object.kind)}: supported values: "PipelineRun"`,
        reason: 'FieldValueNotSupported',
      });
    }
    if (!validate(object))
      errors.push(...(validate.errors ?? []).map((error) => toFieldError(error, object)));
    return { valid: errors.length === 0, errors };
  };
}

/**
 * Validates one object against the real PipelineRun v1 schema. Compiles the schema on every
 * call (no module-level cache): for many objects, keep a `createPipelineRunValidator()`.
 */
export function validatePipelineRun(object: unknown): PipelineRunValidation {
  return createPipelineRunValidator()(object);
}
