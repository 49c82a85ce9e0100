/**
 * Secrets are hidden before anything leaves the process: log lines, events, errors, job output.
 * A redactor knows the literal secret values from the configuration and also hides credentials
 * written into URLs (`https://user:token@host`).
 */
import { URL_CREDENTIALS } from './url-credentials.js';

export const REDACTED = '[REDACTED]';

export interface Redactor {
  /** Replace every known secret (and URL credentials) in a string. */
  redact(text: string): string;
  /** Deep copy of a value with every string redacted; functions and class instances other than Error are kept. */
  redactValue<T>(value: T): T;
  /** Add secret values discovered later (e.g. from a plugin). */
  add(...secrets: Array<string | undefined | null>): void;
  readonly size: number;
}

const MIN_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createRedactor(initial: Iterable<string | undefined | null> = []): Redactor {
  const secrets = new Set<string>();
  let pattern: RegExp | undefined;

  function add(...values: Array<string | undefined | null>): void {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
      secrets.add(value);
      // The JSON-escaped and URL-encoded forms leak the same secret.
      secrets.add(JSON.stringify(value).slice(1, -1));
      secrets.add(encodeURIComponent(value));
    }
    const sorted = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    pattern = sorted.length > 0 ? new RegExp(sorted.join('|'), 'g') : undefined;
  }

  function redact(text: string): string {
    let out = pattern ? text.replace(pattern, REDACTED) : text;
    out = out.replace(
      URL_CREDENTIALS,
      (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`,
    );
    return out;
  }

  function redactValue<T>(value: T, seen = new WeakMap<object, unknown>()): T {
    if (typeof value === 'string') return redact(value) as T;
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value) as T;
    if (value instanceof Error) {
      const copy = Object.create(Object.getPrototypeOf(value)) as Error & Record<string, unknown>;
      seen.set(value, copy);
      for (const key of Object.getOwnPropertyNames(value)) {
        copy[key] = redactValue((value as unknown as Record<string, unknown>)[key], seen);
      }
      return copy as T;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(redactValue(item, seen));
      return copy as T;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, seen);
    return copy as T;
  }

  add(...initial);
  return {
    redact,
    redactValue: (value) => redactValue(value),
    add,
    get size() {
      return secrets.size;
    },
  };
}
