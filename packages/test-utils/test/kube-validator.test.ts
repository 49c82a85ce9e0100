import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  createPipelineRunValidator,
  hasReference,
  type PipelineRunValidator,
  referencePath,
  validatePipelineRun,
} from '../src/index.js';

const EXAMPLES = referencePath('tekton', 'examples');

/** Every PipelineRun document of every reference example, named `file#index`. */
function examplePipelineRuns(): Array<[string, unknown]> {
  if (!hasReference()) return [];
  return readdirSync(EXAMPLES)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(`${EXAMPLES}/${file}`, 'utf8'))
        .map((document, index) => [`${file}#${index}`, document.toJS()] as [string, unknown])
        .filter(([, object]) => (object as { kind?: string } | null)?.kind === 'PipelineRun'),
    );
}

describe.skipIf(!hasReference())('PipelineRun validator (real tekton.dev/v1 CRD schema)', () => {
  let validate: PipelineRunValidator;
  beforeAll(() => {
    validate = createPipelineRunValidator();
  });

  const examples = examplePipelineRuns();

  it('finds a PipelineRun in every reference example file', () => {
    const files = readdirSync(EXAMPLES).filter((file) => /\.ya?ml$/.test(file));
    const covered = new Set(examples.map(([name]) => name.split('#')[0]));
    expect(covered).toEqual(new Set(files));
    expect(examples.length).toBeGreaterThanOrEqual(files.length);
  });

  it.each(examples)('accepts %s', (_name, object) => {
    expect(validate(object)).toEqual({ valid: true, errors: [] });
  });

  it('rejects a param without a value (the schema requires name and value)', () => {
    const [, example] = examples.find(([name]) => name.startsWith('pipelinerun-results.yaml'))!;
    const broken = structuredClone(example) as { spec: { params: Array<Record<string, unknown>> } };
    delete broken.spec.params[0]!.value;
    expect(validate(broken)).toEqual({
      valid: false,
      errors: [{ path: 'spec.params[0].value', message: 'Required value', reason: 'FieldValueRequired' }],
    });
  });

  it('names wrong types, unknown versions and kinds the way the API server does', () => {
    const result = validate({
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'PipelineRun',
      metadata: { name: 'x' },
      spec: { pipelineRef: { name: 7 }, params: 'nope', taskRunTemplate: { serviceAccountName: 'sa' } },
    });
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'apiVersion', reason: 'FieldValueNotSupported' }),
        {
          path: 'spec.pipelineRef.name',
          message: 'Invalid value: "number": spec.pipelineRef.name in body must be of type string: "number"',
          reason: 'FieldValueTypeInvalid',
        },
        expect.objectContaining({ path: 'spec.params', reason: 'FieldValueTypeInvalid' }),
      ]),
    );
    expect(validate('a string').valid).toBe(false);
  });

  it('checks the formats the schema declares (date-time in status)', () => {
    const run = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'x' },
      spec: { pipelineRef: { name: 'deploy' } },
      status: { startTime: 'yesterday' },
    };
    expect(validate(run).errors).toEqual([expect.objectContaining({ path: 'status.startTime' })]);
    expect(validate({ ...run, status: { startTime: '2024-01-02T03:04:05Z' } }).valid).toBe(true);
  });

  it('validatePipelineRun is the one-shot form of the same validator', () => {
    expect(validatePipelineRun(examples[0]![1]).valid).toBe(true);
  });
});
