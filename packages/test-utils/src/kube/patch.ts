import { isRecord } from './types.js';

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * What server-side apply does to the fields a request sets: maps merge, lists and scalars are
 * replaced (Tekton's lists are `x-kubernetes-list-type: atomic`). Field ownership is not tracked,
 * so fields an earlier apply set and this one omits are kept, not removed.
 */
export function applyMerge(target: unknown, applied: unknown): unknown {
  if (!isRecord(applied) || !isRecord(target)) return structuredClone(applied);
  const result: Record<string, unknown> = structuredClone(target);
  for (const [key, value] of Object.entries(applied)) result[key] = applyMerge(result[key], value);
  return result;
}

interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** A JSON patch that cannot be applied; the server answers 422. */
export class JsonPatchError extends Error {
  override name = 'JsonPatchError';
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, parts: string[], path: string): unknown {
  let node = document;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isRecord(node)) node = node[part];
    else node = undefined;
    if (node === undefined) throw new JsonPatchError(`doc is missing path: "${path}"`);
  }
  return node;
}

function read(document: unknown, path: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return document;
  const parent = parentOf(document, parts, path);
  const last = parts.at(-1)!;
  const value = Array.isArray(parent) ? parent[Number(last)] : isRecord(parent) ? parent[last] : undefined;
  if (value === undefined) throw new JsonPatchError(`doc is missing path: "${path}"`);
  return value;
}

function add(document: unknown, path: string, value: unknown): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const parent = parentOf(document, parts, path);
  const last = parts.at(-1)!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new JsonPatchError(`index out of bounds at "${path}"`);
    }
    parent.splice(index, 0, value);
  } else if (isRecord(parent)) {
    parent[last] = value;
  } else {
    throw new JsonPatchError(`doc is missing path: "${path}"`);
  }
  return document;
}

function remove(document: unknown, path: string): unknown {
  const parts = pointer(path);
  read(document, path);
  const parent = parentOf(document, parts, path);
  const last = parts.at(-1)!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isRecord(parent)) delete parent[last];
  return document;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new JsonPatchError('a JSON patch must be an array of operations');
  let document = structuredClone(target);
  for (const raw of operations as JsonPatchOperation[]) {
    const value = structuredClone(raw.value);
    switch (raw.op) {
      case 'add':
        document = add(document, raw.path, value);
        break;
      case 'remove':
        document = remove(document, raw.path);
        break;
      case 'replace':
        document = add(remove(document, raw.path), raw.path, value);
        break;
      case 'move': {
        const moved = read(document, raw.from ?? '');
        document = add(remove(document, raw.from ?? ''), raw.path, moved);
        break;
      }
      case 'copy':
        document = add(document, raw.path, structuredClone(read(document, raw.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(read(document, raw.path)) !== JSON.stringify(value)) {
          throw new JsonPatchError(`testing value ${raw.path} failed`);
        }
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${raw.op}`);
    }
  }
  return document;
}
