import type { z } from 'zod';
import { didYouMean } from '../did-you-mean.js';
import { type DocsPage, docsHint } from '../docs.js';
import type { ConfigIssue } from '../errors.js';
import { plural } from '../plural.js';
import { formatPath } from './expand.js';

/**
 * Turns zod's issues into messages a person can act on: the key path, what was expected (read
 * from the schema at that path), what was found, and the fix. zod's own wording ("Invalid
 * input", "expected number, received string") says neither what the key wants nor how to write
 * it. Messages a schema spells out itself are kept.
 */

/**
 * zod uses the schema's own message first and this one only when there is none (its documented
 * precedence), so an issue carrying it has no message written for it yet.
 */
const UNWRITTEN = '\u0000unwritten';

/** `safeParse` options that mark the issues without a message of their own. */
export const READABLE_PARSE = { error: () => UNWRITTEN } as const;

/** The parts of zod 4's schema definitions read here (`schema._zod.def`). */
interface SchemaDef {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  items?: Schema[];
  rest?: Schema | null;
  entries?: Record<string, string | number>;
  values?: unknown[];
  defaultValue?: unknown;
  getter?: () => Schema;
}

interface Schema {
  _zod: { def: SchemaDef };
  description?: string;
  isInt?: boolean;
  minValue?: number | null;
  maxValue?: number | null;
  format?: string | null;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** A key's schema with its wrappers (optional, default, pipe, ...) taken off and remembered. */
interface Slot {
  schema: Schema;
  description: string | undefined;
  defaultValue: unknown;
  optional: boolean;
  /** The output side of a pipe: where a number-like key keeps its bounds. */
  out: Schema | undefined;
}

function slotOf(schema: Schema): Slot {
  const slot: Slot = {
    schema,
    description: undefined,
    defaultValue: undefined,
    optional: false,
    out: undefined,
  };
  let current = schema;
  for (let guard = 0; guard < 32; guard++) {
    slot.description ??= current.description;
    const def = current._zod.def;
    if (def.type === 'default' || def.type === 'prefault') {
      slot.defaultValue ??= def.defaultValue;
      slot.optional = true;
    } else if (def.type === 'optional') slot.optional = true;
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else if (def.type === 'pipe' && def.in) {
      slot.out ??= def.out;
      current = def.in;
    } else break;
  }
  slot.schema = current;
  return slot;
}

function childSchema(schema: Schema, segment: string | number): Schema | undefined {
  const def = slotOf(schema).schema._zod.def;
  switch (def.type) {
    case 'object':
      return typeof segment === 'string' ? def.shape?.[segment] : undefined;
    case 'array':
      return def.element;
    case 'record':
      return def.valueType;
    case 'tuple':
      return typeof segment === 'number' ? (def.items?.[segment] ?? def.rest ?? undefined) : undefined;
    case 'union':
      for (const option of def.options ?? []) {
        const child = childSchema(option, segment);
        if (child) return child;
      }
      return undefined;
    default:
      return undefined;
  }
}

function schemaAt(root: Schema, segments: ReadonlyArray<string | number>): Schema | undefined {
  let current: Schema | undefined = root;
  for (const segment of segments) {
    if (!current) return undefined;
    current = childSchema(current, segment);
  }
  return current;
}

type Kind = 'number' | 'boolean' | 'string' | 'choice' | 'list' | 'mapping' | 'other';

interface Expectation {
  kind: Kind;
  /** "a number of seconds", "true or false", "one of "a", "b"" */
  text: string;
  choices?: string[];
  keys?: string[];
  seconds?: boolean;
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

function numberExpectation(schema: Schema | undefined, seconds: boolean): Expectation {
  const whole = schema?.isInt === true;
  return {
    kind: 'number',
    seconds,
    text: `${whole ? 'a whole number' : 'a number'}${seconds ? ' of seconds' : ''}`,
  };
}

function expectationOf(schema: Schema | undefined): Expectation {
  if (!schema) return { kind: 'other', text: 'a valid value' };
  const slot = slotOf(schema);
  const def = slot.schema._zod.def;
  const seconds = /\bseconds?\b/i.test(slot.description ?? '');
  switch (def.type) {
    case 'number':
      return numberExpectation(slot.out ?? slot.schema, seconds);
    case 'boolean':
      return { kind: 'boolean', text: 'true or false' };
    case 'string':
      return { kind: 'string', text: slot.schema.format === 'url' ? 'a URL' : 'a string' };
    case 'enum': {
      const choices = Object.values(def.entries ?? {}).map(String);
      return { kind: 'choice', text: `one of ${quoteList(choices)}`, choices };
    }
    case 'literal': {
      const choices = (def.values ?? []).map(String);
      return {
        kind: 'choice',
        text: choices.length === 1 ? quoteList(choices) : `one of ${quoteList(choices)}`,
        choices,
      };
    }
    case 'array': {
      const element = expectationOf(def.element);
      const of = element.kind === 'string' ? ' of strings' : element.kind === 'mapping' ? ' of mappings' : '';
      return { kind: 'list', text: `a list${of}` };
    }
    case 'tuple':
      return {
        kind: 'list',
        text: `a list [${(def.items ?? []).map((item) => expectationOf(item).text).join(', ')}]`,
      };
    case 'object':
      return { kind: 'mapping', text: 'a mapping of keys', keys: Object.keys(def.shape ?? {}) };
    case 'record':
      return {
        kind: 'mapping',
        text: expectationOf(def.valueType).kind === 'string' ? 'a mapping of strings' : 'a mapping',
      };
    case 'union': {
      const options = (def.options ?? []).map(expectationOf);
      // numberLike()/booleanLike(): the value or its spelling as a string (from ${VAR}).
      if (options.some((option) => option.kind === 'number')) {
        const numberOption = (def.options ?? []).find(
          (option) => slotOf(option).schema._zod.def.type === 'number',
        );
        return numberExpectation(slot.out ?? numberOption, seconds);
      }
      if (options.some((option) => option.kind === 'boolean'))
        return { kind: 'boolean', text: 'true or false' };
      if (options.every((option) => option.kind === 'choice')) {
        const choices = options.flatMap((option) => option.choices ?? []);
        return { kind: 'choice', text: `one of ${quoteList(choices)}`, choices };
      }
      return { kind: 'other', text: [...new Set(options.map((option) => option.text))].join(' or ') };
    }
    default:
      return { kind: 'other', text: 'a valid value' };
  }
}

const SECRET_KEY = /token|password|secret/i;

function describeValue(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  const kind = Array.isArray(value) ? 'list' : typeof value === 'object' ? 'mapping' : typeof value;
  if (secret) return `a ${kind} (not shown: the key holds a secret)`;
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return `the string ${text.length > 60 ? `${text.slice(0, 56)}..."` : text}`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  return 'a mapping';
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1', 'enable', 'enabled']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0', 'disable', 'disabled']);

/** "60s" → 60, "5m" → 300, "1h30m" → 5400: what a duration written with units means in seconds. */
function secondsOf(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(amount) * (DURATION_UNITS[unit as string] as number);
  return Math.round(total * 1000) / 1000;
}

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function example(slot: Slot, fallback: string): string {
  const value = slot.defaultValue;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;
}

/** The fix for a value of the wrong type: its conversion when one is obvious. */
function typeFix(expected: Expectation, value: unknown, slot: Slot, secret: boolean): string {
  const orRemove = slot.optional ? ', or remove the key' : '';
  if (value === null) return `write ${expected.text}${orRemove}`;
  switch (expected.kind) {
    case 'number': {
      if (typeof value === 'string' && !secret) {
        const seconds = secondsOf(value);
        if (seconds !== null && expected.seconds)
          return `write ${seconds} (durations are numbers of seconds)`;
        if (/^-?\d+(\.\d+)?$/.test(value.trim())) return `write ${value.trim()}`;
      }
      if (typeof value === 'number') return `write ${Math.round(value)}`;
      return `write a number${expected.seconds ? ' of seconds' : ''}, e.g. ${example(slot, '1')}`;
    }
    case 'boolean': {
      const word = String(value).trim().toLowerCase();
      if ((typeof value === 'string' || typeof value === 'number') && TRUE_WORDS.has(word))
        return 'write true';
      if ((typeof value === 'string' || typeof value === 'number') && FALSE_WORDS.has(word))
        return 'write false';
      return 'write true or false';
    }
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean')
        return `quote it${secret ? '' : `: ${JSON.stringify(String(value))}`} (YAML reads it as a ${typeof value} otherwise)`;
      return 'write a single string';
    case 'list':
      if (typeof value === 'string' && !secret) {
        const items = value.includes(',') ? value.split(',').map((item) => item.trim()) : [value];
        return `write it as a list: ${JSON.stringify(items)}`;
      }
      return `write ${expected.text}`;
    case 'mapping':
      return expected.keys
        ? `write its keys under it (${expected.keys.slice(0, 8).join(', ')}${expected.keys.length > 8 ? ', ...' : ''})`
        : `write ${expected.text}`;
    default:
      return `write ${expected.text}`;
  }
}

export interface ReadableIssueOptions {
  /** The schema that was parsed, to say what each key expects. */
  schema: z.ZodType;
  /** The page that documents these keys, and its section for a key path (for "unknown key"). */
  docs: { page: DocsPage; section: (segments: ReadonlyArray<string | number>) => string | undefined };
  /** Said after an unknown key (e.g. the format it was read as). */
  unknownKeyNote?: string;
}

/** Every key path of the schema, by the key's own name: where a misplaced key belongs. */
function keyPlaces(root: Schema): Map<string, string[]> {
  const places = new Map<string, string[]>();
  function walk(schema: Schema, at: string, depth: number): void {
    if (depth > 6) return;
    const def = slotOf(schema).schema._zod.def;
    if (def.type === 'object') {
      for (const [key, child] of Object.entries(def.shape ?? {})) {
        const here = at ? `${at}.${key}` : key;
        places.set(key, [...(places.get(key) ?? []), here]);
        walk(child, here, depth + 1);
      }
    } else if (def.type === 'array' && def.element) walk(def.element, `${at}[]`, depth + 1);
    else if (def.type === 'record' && def.valueType) walk(def.valueType, `${at}.<name>`, depth + 1);
    else if (def.type === 'union') for (const option of def.options ?? []) walk(option, at, depth + 1);
  }
  walk(root, '', 0);
  return places;
}

function unknownKeyIssues(
  keys: readonly string[],
  segments: ReadonlyArray<string | number>,
  options: ReadableIssueOptions,
): ConfigIssue[] {
  const root = options.schema as unknown as Schema;
  const here = schemaAt(root, segments);
  const known = here ? (expectationOf(here).keys ?? []) : [];
  const section = options.docs.section(segments);
  const hint = docsHint(options.docs.page, section);
  return keys.map((key) => {
    const close = didYouMean(key, known);
    let fix: string;
    if (close) fix = `did you mean "${close}"?`;
    else {
      const elsewhere = keyPlaces(root).get(key);
      fix = elsewhere
        ? `"${key}" belongs under ${elsewhere.slice(0, 3).join(' or ')}; move it there.`
        : `remove it; the keys here are ${known.join(', ') || 'none'}.`;
    }
    const note = options.unknownKeyNote ? ` ${options.unknownKeyNote}` : '';
    return {
      path: formatPath(segments),
      message: `unknown key "${key}".${note} Fix: ${fix} ${sentence(hint)}.`,
    };
  });
}

function valueAt(root: unknown, segments: ReadonlyArray<string | number>): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The message for one issue that has none from the schema. */
function writtenMessage(
  issue: z.core.$ZodIssue,
  value: unknown,
  expected: Expectation,
  slot: Slot,
  got: string,
  key: string | number | undefined,
  secret: boolean,
): string {
  const orRemove = slot.optional ? ', or remove the key' : '';
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_union':
      if (value === undefined) {
        const what = slot.description ? `: ${slot.description}` : '';
        return `missing (expected ${expected.text}${what}). Fix: add ${typeof key === 'string' ? `${key}: ...` : 'it'}.`;
      }
      return `expected ${expected.text}, got ${got}. Fix: ${typeFix(expected, value, slot, secret)}.`;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'string')
        return minimum <= 1
          ? `must not be empty. Fix: write a value${orRemove}.`
          : `expected at least ${plural(minimum, 'character', 'characters')}, got ${got}.`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${Array.isArray(value) && value.length === 0 ? 'empty' : `has ${plural(Array.isArray(value) ? value.length : 0, 'entry', 'entries')}`}: expected at least ${plural(minimum, 'entry', 'entries')}. Fix: list ${minimum === 1 ? 'at least one' : `at least ${minimum}`}${orRemove}.`;
      const bound = issue.inclusive ? `${minimum} or more` : `a number above ${minimum}`;
      const usual = typeof slot.defaultValue === 'number' ? ` (the default is ${slot.defaultValue})` : '';
      return `expected ${expected.text} ${issue.inclusive ? '≥' : '>'} ${minimum}, got ${got}. Fix: write ${bound}${usual}.`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'string')
        return `expected at most ${plural(maximum, 'character', 'characters')}, got ${typeof value === 'string' ? value.length : got}. Fix: shorten it.`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `expected at most ${plural(maximum, 'entry', 'entries')}, got ${Array.isArray(value) ? value.length : got}. Fix: remove some.`;
      return `expected ${expected.text} ${issue.inclusive ? '≤' : '<'} ${maximum}, got ${got}. Fix: write ${issue.inclusive ? `${maximum} or less` : `less than ${maximum}`}.`;
    }
    case 'invalid_value': {
      const choices = issue.values.map(String);
      const close = typeof value === 'string' ? didYouMean(value, choices) : null;
      return `expected one of ${quoteList(choices)}, got ${got}. Fix: ${close ? `did you mean "${close}"?` : 'write one of them.'}`;
    }
    case 'invalid_format':
      if (issue.format === 'url')
        return `expected a URL with its scheme (e.g. "https://host/path"), got ${got}. Fix: write the full URL.`;
      return `expected ${issue.format === 'regex' && 'pattern' in issue ? `text matching ${String(issue.pattern)}` : `a ${issue.format}`}, got ${got}.`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}, got ${got}.`;
    case 'invalid_key':
      return `has a key that is not allowed (${got}). Fix: use ${expected.text}.`;
    default:
      return `is not valid: got ${got}. Fix: write ${expected.text}.`;
  }
}

/** Readable issues for a failed parse of `input` against `options.schema`. */
export function readableIssues(
  error: z.ZodError,
  input: unknown,
  options: ReadableIssueOptions,
): ConfigIssue[] {
  const root = options.schema as unknown as Schema;
  return error.issues.flatMap((issue) => {
    const segments = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') return unknownKeyIssues(issue.keys, segments, options);
    const key = segments[segments.length - 1];
    const value = valueAt(input, segments);
    const secret = segments.some((segment) => typeof segment === 'string' && SECRET_KEY.test(segment));
    const got = describeValue(value, secret);
    const path = formatPath(segments);
    if (issue.message !== UNWRITTEN) {
      // The schema's own words; add what was found unless it is plain from them.
      if (value === undefined) return [{ path, message: issue.message }];
      const message = /\bFix:/.test(issue.message)
        ? issue.message.replace(/\.?\s*\bFix:/, ` (got ${got}). Fix:`)
        : `${issue.message.replace(/\.$/, '')} (got ${got}).`;
      return [{ path, message }];
    }
    const schema = schemaAt(root, segments);
    const slot = schema ? slotOf(schema) : slotOf(root);
    return [{ path, message: writtenMessage(issue, value, expectationOf(schema), slot, got, key, secret) }];
  });
}
