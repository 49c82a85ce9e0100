/**
 * Just enough JSON Schema (draft-07) to check webhook payloads against @octokit/webhooks-schemas
 * without adding ajv: type, $ref into `definitions`, properties, required, additionalProperties,
 * enum, const, oneOf, anyOf, allOf, items and the numeric/length bounds. `format` is not checked
 * (ajv does not check it either without ajv-formats).
 */
export type Schema = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number';
  return typeOf(value) === type;
}

export function validate(root: Schema, schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const name = decodeURIComponent(ref.replace(/^#\/definitions\//, ''));
    const target = (root.definitions as Record<string, Schema>)[name];
    if (!target) return [`${path}: unknown $ref ${ref}`];
    errors.push(...validate(root, target, value, path));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) {
      return [...errors, `${path}: expected ${types.join('|')}, got ${typeOf(value)}`];
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => option === value)) {
    errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  }
  if ('const' in schema && schema.const !== value)
    errors.push(`${path}: expected const ${JSON.stringify(schema.const)}`);
  if (typeof schema.maxLength === 'number' && typeof value === 'string' && value.length > schema.maxLength) {
    errors.push(`${path}: longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.push(`${path}: too few items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      errors.push(`${path}: too many items`);
    if (schema.items && typeof schema.items === 'object') {
      value.forEach((item, index) => {
        errors.push(...validate(root, schema.items as Schema, item, `${path}[${index}]`));
      });
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in object)) errors.push(`${path}: missing required "${key}"`);
    }
    for (const [key, item] of Object.entries(object)) {
      if (properties[key]) errors.push(...validate(root, properties[key], item, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property "${key}"`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        errors.push(...validate(root, schema.additionalProperties as Schema, item, `${path}.${key}`));
      }
    }
  }
  for (const part of (schema.allOf ?? []) as Schema[]) errors.push(...validate(root, part, value, path));
  if (Array.isArray(schema.anyOf)) {
    const passing = (schema.anyOf as Schema[]).filter(
      (part) => validate(root, part, value, path).length === 0,
    );
    if (passing.length === 0) errors.push(`${path}: matches none of anyOf`);
  }
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter(
      (part) => validate(root, part, value, path).length === 0,
    );
    if (passing.length !== 1) errors.push(`${path}: matches ${passing.length} of oneOf (needs exactly 1)`);
  }
  return errors;
}
