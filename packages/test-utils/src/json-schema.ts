import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

/**
 * A JSON Schema (draft 2020-12) validator, as editors and other tools apply the schema: returns
 * the problems of `data` as `<instance path>: <message>` lines, none when it is valid.
 */
export function jsonSchemaValidator(schema: Record<string, unknown>): (data: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  return (data) =>
    validate(data)
      ? []
      : (validate.errors ?? []).map(
          (error: ErrorObject) => `${error.instancePath || '(root)'}: ${error.message ?? error.keyword}`,
        );
}
