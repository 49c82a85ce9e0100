/** A PipelineRun param value: Tekton's string, array and object types. */
export type ParamValue = string | string[] | Record<string, string>;

export interface Param {
  name: string;
  value: ParamValue;
}

function isParam(value: unknown): value is Param {
  return value !== null && typeof value === 'object' && typeof (value as Param).name === 'string';
}

/**
 * The template's params with the block's merged in: a param of the same name is replaced (in
 * place, so the order stays), a new one is appended. The value's type (string, array, object)
 * is the block's.
 */
export function mergeParams(existing: unknown, overrides: Record<string, ParamValue> | undefined): Param[] {
  const params: Param[] = Array.isArray(existing)
    ? existing.filter(isParam).map((param) => ({ ...param }))
    : [];
  for (const [name, value] of Object.entries(overrides ?? {})) {
    const index = params.findIndex((param) => param.name === name);
    if (index >= 0) params[index] = { ...params[index], name, value };
    else params.push({ name, value });
  }
  return params;
}
