import { describe, expect, it } from 'vitest';
import { readJsonAsYaml, scanJsonKeys } from '../src/config/json-as-yaml.js';
import { parseYamlConfig, parseYamlDocument } from '../src/config/parse-yaml.js';

const FILE = '/etc/sentry.yaml';

/** mulberry32: a small seeded generator, so a failing case can be replayed by its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** JSON text written by hand: duplicate keys, escapes and white space that JSON.stringify never writes. */
function generator(seed: number) {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number) => next() < p;
  const KEYS = [
    'a',
    'b',
    'name',
    '<<',
    '__proto__',
    '1',
    '',
    'é',
    '😀',
    'a b',
    'key: x',
    '- y',
    '#c',
    'true',
  ];
  const CHARS = [
    'a',
    'Z',
    ' ',
    '/',
    '\\',
    '"',
    '\n',
    '\r',
    '\t',
    '\b',
    '\f',
    'é',
    '😀',
    '\u2028',
    '\u0085',
    '\u007f',
    '\ufeff',
    '\ud800',
    '#',
    ':',
    '-',
    '<',
    '*',
    '&',
    '!',
    '%',
    '@',
    '`',
  ];
  const NUMBERS = [
    '0',
    '-0',
    '1',
    '-1',
    '42',
    '0.5',
    '-0.25',
    '1e3',
    '1E+3',
    '2.5e-7',
    '-1.5E-3',
    '1e400',
    '-1e400',
    '9007199254740993',
    '12345678901234567890123456789',
    '123456789.123456789e-30',
    '0.1',
    '100',
    '3.14159265358979323846',
  ];
  const SPACES = [' ', '  ', '\n', '\r\n', '\t', '\n  ', '\n\t', ' \r\n '];
  const space = () => (chance(0.5) ? pick(SPACES) : '');

  function stringText(value: string): string {
    let out = '"';
    for (const char of value) {
      const code = char.codePointAt(0) as number;
      if (char === '"' || char === '\\') out += `\\${char}`;
      else if (char === '/' && chance(0.5)) out += '\\/';
      else if (char === '\n') out += '\\n';
      else if (char === '\r') out += '\\r';
      else if (char === '\t') out += chance(0.5) ? '\\t' : '\\u0009';
      else if (char === '\b') out += '\\b';
      else if (char === '\f') out += '\\f';
      else if (code > 0xffff)
        out += chance(0.5)
          ? char
          : JSON.stringify(char)
              .slice(1, -1)
              .replace(/./gu, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
      else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16).toUpperCase()}`;
      else if (chance(0.15)) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += char;
    }
    return `${out}"`;
  }
  function someString(): string {
    const length = Math.floor(next() * 6);
    return Array.from({ length }, () => pick(CHARS)).join('');
  }
  function valueText(depth: number): string {
    const roll = next();
    if (depth < 5 && roll < 0.3) return objectText(depth + 1);
    if (depth < 5 && roll < 0.45) {
      const items = Array.from(
        { length: Math.floor(next() * 4) },
        () => space() + valueText(depth + 1) + space(),
      );
      return `[${items.join(',') || space()}]`;
    }
    if (roll < 0.65) return stringText(someString());
    if (roll < 0.85) return pick(NUMBERS);
    return pick(['true', 'false', 'null']);
  }
  function objectText(depth: number): string {
    const count = Math.floor(next() * 5);
    const pairs: string[] = [];
    for (let n = 0; n < count; n++) {
      // Duplicates are rare enough that many texts have none, and some have them at each depth.
      const key = chance(0.6) ? `${pick(KEYS)}${n}` : pick(KEYS.slice(0, 3));
      pairs.push(`${space()}${stringText(key)}${space()}:${space()}${valueText(depth)}${space()}`);
    }
    return `{${pairs.join(',') || space()}}`;
  }
  return () => space() + (chance(0.8) ? objectText(0) : valueText(0)) + space();
}

type Outcome = { value: string } | { error: string };

/** Values compared exactly: key order, own `__proto__` keys, -0 and lone surrogates included. */
function describeValue(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (Object.is(item, -0) ? '\u0000minus zero' : item));
}

function outcome(read: () => unknown): Outcome {
  try {
    return { value: describeValue(read()) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('JSON text in a YAML file reads as the YAML reader reads it', () => {
  it('gives the same value or the same error as the `yaml` package on 3,000 generated JSON texts', () => {
    let readAsJson = 0;
    let duplicates = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const text = generator(seed)();
      JSON.parse(text); // the generator writes JSON only
      const viaYaml = outcome(() => parseYamlDocument(text, FILE));
      const viaJson = outcome(() => {
        const json = readJsonAsYaml(text, FILE);
        if (json === undefined) throw new Error('not read as JSON');
        return json.value;
      });
      if ('error' in viaJson && viaJson.error === 'not read as JSON') continue;
      readAsJson += 1;
      if ('error' in viaYaml) duplicates += 1;
      expect({ seed, text, ...viaJson }).toEqual({ seed, text, ...viaYaml });
      expect(outcome(() => parseYamlConfig(text, FILE))).toEqual(viaYaml);
    }
    // The comparison is not vacuous: most texts take the JSON path, and many of those have duplicates.
    expect(readAsJson).toBeGreaterThan(2500);
    expect(duplicates).toBeGreaterThan(300);
    expect(readAsJson - duplicates).toBeGreaterThan(1500);
  });

  it('reports a duplicate key where the YAML reader does, nested duplicates first', () => {
    const cases = [
      '{"a": 1, "a": 2}',
      '{\n "a": {"b": 1, "b": 2},\n "a": 3\n}',
      '{\r\n "repositories": [\r\n  {"name": "x", "monitor": {}, "name": "y"}\r\n ]\r\n}',
      '{"a": 1, "\\u0061": 2}',
      '{"<<": {"x": 1}, "<<": {"y": 2}}',
      '[{"k": 1}, {"k": 1, "j": {"x\\/y": 1, "x/y": 2}}]',
      '{"s": "\u2028\u0085", "t": 1, "t": 2}',
    ];
    for (const text of cases) {
      const expected = outcome(() => parseYamlDocument(text, FILE));
      expect(expected).toHaveProperty(
        'error',
        expect.stringMatching(
          /Map keys must be unique at line \d+, column \d+\. Fix: Correct the YAML at that line\.$/,
        ),
      );
      expect(outcome(() => parseYamlConfig(text, FILE))).toEqual(expected);
    }
    expect(outcome(() => parseYamlConfig('{\n "a": {"b": 1, "b": 2},\n "a": 3\n}', FILE))).toEqual({
      error: `Cannot read ${FILE}: Map keys must be unique at line 2, column 16. Fix: Correct the YAML at that line.`,
    });
  });

  it('keeps a quoted "<<" as an ordinary key, as YAML does: JSON never merges', () => {
    const text = '{"base": {"x": 1}, "item": {"<<": {"x": 2}, "y": 3}}';
    expect(readJsonAsYaml(text, FILE)).toEqual({ value: { base: { x: 1 }, item: { '<<': { x: 2 }, y: 3 } } });
    expect(parseYamlDocument(text, FILE)).toEqual({ base: { x: 1 }, item: { '<<': { x: 2 }, y: 3 } });
  });

  it('leaves to the YAML reader what YAML reads differently from JSON', () => {
    // A lone carriage return is white space in JSON but not a line break for `yaml`.
    const loneCr = '{"a": 1,\r"b": 2}';
    expect(readJsonAsYaml(loneCr, FILE)).toBeUndefined();
    expect(parseYamlConfig(loneCr, FILE)).toEqual(parseYamlDocument(loneCr, FILE));
    // Not JSON: comments, plain scalars, block style, a byte order mark.
    for (const text of ['{"a": 1} # note', '{a: 1}', 'a: 1', '\ufeff{"a": 1}', '"just a string"', '']) {
      expect(readJsonAsYaml(text, FILE)).toBeUndefined();
    }
  });

  it('counts values as the YAML reader does, so its limit and error stay its own', () => {
    expect(scanJsonKeys('{"a": [1, "x", {"b": null}], "c": {}}', 7)).toBeNull();
    expect(scanJsonKeys('{"a": [1, "x", {"b": null}], "c": {}}', 6)).toBe('too-many-values');
    expect(scanJsonKeys('[true, false, -1.5e3, "\\"", []]', 6)).toBeNull();
    expect(scanJsonKeys('[true, false, -1.5e3, "\\"", []]', 5)).toBe('too-many-values');
  });
});
