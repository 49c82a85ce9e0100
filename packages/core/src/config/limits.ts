import { formatPath } from './expand.js';

/**
 * Bounds on what a configuration may be, so a hostile or broken file fails at once with a clear
 * error instead of hanging the loader or overflowing its stack. Real configurations stay far
 * below them: 5,000 repositories are about 1.5 MB of YAML, 200,000 values and 10 levels deep.
 */
export const CONFIG_LIMITS = {
  /** Largest configuration (or `.env`) file read, in bytes. */
  maxBytes: 4 * 1024 * 1024,
  /** Deepest nesting of mappings and lists. */
  maxDepth: 64,
  /** Most values once YAML aliases are expanded (what the loader and validator walk). */
  maxValues: 1_000_000,
} as const;

export interface TreeProblem {
  /** Key path of the value where the limit was crossed. */
  path: string;
  message: string;
}

interface Frame {
  value: object;
  path: Array<string | number>;
  entries: Array<[string | number, unknown]>;
  next: number;
}

function entriesOf(value: object): Array<[string | number, unknown]> {
  return Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
}

/**
 * Walks a parsed configuration without recursion and reports the first value that is nested too
 * deeply, refers to itself (a YAML alias inside its own anchor, a circular object from a
 * JavaScript config), or makes the whole expand beyond `maxValues` (an alias "billion laughs").
 * Shared objects are counted each time they are reached, as every later walk will reach them.
 */
export function checkConfigTree(root: unknown): TreeProblem | null {
  if (root === null || typeof root !== 'object') return null;
  const onPath = new Set<object>();
  const stack: Frame[] = [];
  let values = 1;
  const enter = (value: object, path: Array<string | number>) => {
    onPath.add(value);
    stack.push({ value, path, entries: entriesOf(value), next: 0 });
  };
  enter(root, []);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next >= frame.entries.length) {
      onPath.delete(frame.value);
      stack.pop();
      continue;
    }
    const [key, child] = frame.entries[frame.next++] as [string | number, unknown];
    const path = [...frame.path, key];
    values += 1;
    if (values > CONFIG_LIMITS.maxValues) {
      return {
        path: formatPath(path),
        message: `the configuration expands to more than ${CONFIG_LIMITS.maxValues.toLocaleString('en')} values (YAML aliases repeated inside each other, as in a "billion laughs" attack). Fix: write the values out, or use fewer nested aliases.`,
      };
    }
    if (child === null || typeof child !== 'object') continue;
    if (onPath.has(child)) {
      return {
        path: formatPath(path),
        message:
          'refers to itself (a YAML alias inside its own anchor, or a circular object), so it would never end. Fix: remove the alias, or point it at a value outside its anchor.',
      };
    }
    if (stack.length >= CONFIG_LIMITS.maxDepth) {
      return {
        path: formatPath(path),
        message: `nested more than ${CONFIG_LIMITS.maxDepth} levels deep; no configuration needs that. Fix: check the indentation and the brackets around this key.`,
      };
    }
    enter(child, path);
  }
  return null;
}
