import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

interface Requirement {
  key: string;
  operator: 'exists' | '!exists' | 'in' | 'notin';
  values: string[];
}

/** A compiled label or field selector: true when an object matches. */
export type Selector = (object: KubeObject) => boolean;

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Splits on the commas that separate requirements, not those inside `in (a, b)`. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function parseRequirement(text: string): Requirement {
  const set = /^(?<key>\S+)\s+(?<op>in|notin)\s*\((?<values>[^)]*)\)$/.exec(text);
  if (set?.groups) {
    const values = set.groups.values!.split(',').map((value) => value.trim());
    return { key: set.groups.key!, operator: set.groups.op as 'in' | 'notin', values };
  }
  const equality = /^(?<key>[^!=\s]+)\s*(?<op>==|!=|=)\s*(?<value>\S*)$/.exec(text);
  if (equality?.groups) {
    const operator = equality.groups.op === '!=' ? 'notin' : 'in';
    return { key: equality.groups.key!, operator, values: [equality.groups.value!] };
  }
  const exists = /^(?<not>!?)\s*(?<key>\S+)$/.exec(text);
  if (exists?.groups && KEY.test(exists.groups.key!)) {
    return { key: exists.groups.key!, operator: exists.groups.not ? '!exists' : 'exists', values: [] };
  }
  throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, or a key`);
}

function matches(requirement: Requirement, value: string | undefined): boolean {
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
  }
}

/** `labelSelector` as the API server reads it: =, ==, !=, key, !key, in (…), notin (…). */
export function labelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const requirements = splitRequirements(text).map(parseRequirement);
  for (const requirement of requirements) {
    if (!KEY.test(requirement.key)) throw badRequest(`invalid label key "${requirement.key}"`);
  }
  return (object) =>
    requirements.every((requirement) => matches(requirement, object.metadata.labels?.[requirement.key]));
}

const FIELDS: Record<string, (object: KubeObject) => string | undefined> = {
  'metadata.name': (object) => object.metadata.name,
  'metadata.namespace': (object) => object.metadata.namespace ?? '',
};

/** `fieldSelector`: only `metadata.name` and `metadata.namespace`, as for custom resources. */
export function fieldSelector(text: string | null): Selector {
  if (!text) return () => true;
  const requirements = splitRequirements(text).map((part) => {
    const requirement = parseRequirement(part);
    if (requirement.operator !== 'in' && requirement.operator !== 'notin') {
      throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    }
    if (!FIELDS[requirement.key]) {
      throw badRequest(
        `"${requirement.key}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    return requirement;
  });
  return (object) =>
    requirements.every((requirement) => matches(requirement, FIELDS[requirement.key]!(object)));
}
