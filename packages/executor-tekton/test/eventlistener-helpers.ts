import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Tekton's GitHub interceptor, re-stated with node:crypto alone (not core's helpers, so a bug
 * there cannot hide here): `X-Hub-Signature-256` must be `sha256=` + hex HMAC-SHA256 of the raw body.
 */
export function githubInterceptorAccepts(
  secret: string,
  rawBody: Buffer | string,
  header: string | undefined,
) {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

/** Every leaf key path of a JSON value (`commits[].id`), with the types seen there. */
export function leafPaths(value: unknown, prefix = '', into = new Map<string, Set<JsonType>>()) {
  const add = (key: string, type: JsonType) => into.set(key, (into.get(key) ?? new Set()).add(type));
  if (Array.isArray(value)) {
    if (value.length === 0) add(prefix, 'array');
    for (const item of value) leafPaths(item, `${prefix}[]`, into);
  } else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) leafPaths(item, prefix ? `${prefix}.${key}` : key, into);
  } else {
    add(prefix, typeOf(value));
  }
  return into;
}

/** Key paths of `ours` absent from `reference`, or holding a type the reference never has there. */
export function shapeMismatches(ours: unknown, references: unknown[]): string[] {
  const known = new Map<string, Set<JsonType>>();
  for (const reference of references) leafPaths(reference, '', known);
  const problems: string[] = [];
  for (const [key, types] of leafPaths(ours)) {
    const seen = known.get(key);
    if (!seen) {
      problems.push(`${key}: not in the reference`);
      continue;
    }
    for (const type of types) {
      // A reference null says "nullable", not "always null"; an empty object or array is a leaf there.
      if (!seen.has(type) && !seen.has('null')) {
        problems.push(`${key}: ${type}, reference has ${[...seen].join('|')}`);
      }
    }
  }
  return problems;
}

/** The push examples of @octokit/webhooks-examples (a dev dependency): api.github.com and every GHES release. */
export function octokitPushExamples(): unknown[] {
  const root = path.dirname(
    createRequire(import.meta.url).resolve('@octokit/webhooks-examples/package.json'),
  );
  const sources = readdirSync(root).filter((name) => name === 'api.github.com' || name.startsWith('ghes-'));
  return sources.flatMap((source) => {
    const file = path.join(root, source, 'index.json');
    const index = JSON.parse(readFileSync(file, 'utf8')) as Array<{ name: string; examples: unknown[] }>;
    return index.find((definition) => definition.name === 'push')?.examples ?? [];
  });
}
