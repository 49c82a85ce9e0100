import { CONFIG_LIMITS } from './limits.js';
import { lineAndColumn, unreadable } from './unreadable.js';

/**
 * Reads a YAML configuration whose text is JSON (YAML 1.2 is a superset of JSON, and generators
 * of large configurations write JSON) with `JSON.parse`, which for 5,000 repositories takes a
 * few MB where the `yaml` package's syntax tree and document take over 100 MB. The answer must be
 * what the YAML reader would give, so this either returns that value, throws the error the YAML
 * reader would throw, or returns `undefined` and leaves the text to the YAML reader:
 * - duplicate keys: JSON.parse keeps the last; YAML refuses them ("Map keys must be unique"),
 *   reported here at the same line and column, in the same order (after the errors inside the
 *   duplicate's value, as the `yaml` composer checks a key once its value is read);
 * - a carriage return not followed by a line feed: JSON white space, but not a line break for
 *   the `yaml` lexer, which reads it as part of the next key;
 * - more values than `CONFIG_LIMITS.maxValues`: the YAML reader's own error names the value.
 * Merge keys need nothing: a quoted `"<<"` is an ordinary key in `yaml` (only a plain `<<` merges),
 * and JSON has no plain keys.
 */
export function readJsonAsYaml(text: string, file: string): { value: unknown } | undefined {
  if (!looksLikeJsonCollection(text) || /\r(?!\n)/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // YAML that is not JSON (comments, plain scalars, …), or broken: YAML says which
  }
  const scan = scanJsonKeys(text, CONFIG_LIMITS.maxValues);
  if (scan === 'too-many-values') return undefined;
  if (scan !== null) {
    throw unreadable(
      file,
      `Map keys must be unique at ${lineAndColumn(text, scan)}.`,
      'Correct the YAML at that line.',
    );
  }
  return { value };
}

/** Only a text that starts a mapping or a list is worth a JSON.parse: configurations are one. */
function looksLikeJsonCollection(text: string): boolean {
  const first = /\S/.exec(text)?.[0];
  return first === '{' || first === '[';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

interface Frame {
  /** Keys of the mapping's pairs read so far; null for a list. */
  keys: Set<string> | null;
  /** The key whose value is being read, and where it starts. */
  key: string;
  keyOffset: number;
  expectsKey: boolean;
}

/**
 * One pass over text that JSON.parse accepted: the offset of the first duplicate key (in the
 * order the `yaml` composer reports them: a pair is checked when its value is complete), null
 * when there is none, or 'too-many-values' past `maxValues` values (counted as the YAML reader
 * counts them: every value, not keys).
 */
export function scanJsonKeys(text: string, maxValues: number): number | null | 'too-many-values' {
  const stack: Frame[] = [];
  let values = 0;
  let frame: Frame | undefined;
  /** A pair is complete: its key must not be one of the mapping's earlier keys. */
  function closePair(current: Frame): boolean {
    if (current.keys === null || current.expectsKey) return false;
    if (current.keys.has(current.key)) return true;
    current.keys.add(current.key);
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20) continue;
    if (code === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      if (frame?.keys && frame.expectsKey) {
        frame.key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        frame.keyOffset = start;
        continue;
      }
      values += 1;
    } else if (code === COLON) {
      (frame as Frame).expectsKey = false;
      continue;
    } else if (code === COMMA) {
      const current = frame as Frame;
      if (closePair(current)) return current.keyOffset;
      current.expectsKey = current.keys !== null;
      continue;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      values += 1;
      if (frame) stack.push(frame);
      const isMap = code === OPEN_BRACE;
      frame = { keys: isMap ? new Set() : null, key: '', keyOffset: 0, expectsKey: isMap };
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      const current = frame as Frame;
      if (closePair(current)) return current.keyOffset;
      frame = stack.pop();
    } else {
      // A number, true, false or null: skip to its end.
      values += 1;
      while (i + 1 < text.length && isNumberOrWordChar(text.charCodeAt(i + 1))) i++;
    }
    if (values > maxValues) return 'too-many-values';
  }
  return null;
}

/** Characters of a JSON number or of `true` / `false` / `null`. */
function isNumberOrWordChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2e ||
    code === 0x2b ||
    code === 0x2d ||
    code === 0x45
  );
}
