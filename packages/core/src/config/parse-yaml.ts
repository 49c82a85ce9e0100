import {
  type Document,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import { readJsonAsYaml } from './json-as-yaml.js';
import { CONFIG_LIMITS } from './limits.js';
import { shareEqualStrings } from './share-strings.js';
import { checkFileSize, lineAndColumn, unreadable } from './unreadable.js';

/**
 * The YAML reader for configuration files (`.yaml`, `.yml`, `.sentry-gitrc`), built on the `yaml`
 * package instead of cosmiconfig's js-yaml so that hostile input fails fast with the file and
 * line: aliases that expand exponentially ("billion laughs") or refer to their own anchor, and
 * brackets nested so deeply that the parser would spend seconds on them.
 */

/** YAML starts a quoted scalar only at the start of a token, not inside a word (`it's`). */
function startsToken(previous: string | undefined): boolean {
  return previous === undefined || /[\s[\]{},:-]/.test(previous);
}

/**
 * The offset of the first `[` / `{` opened deeper than `maxDepth` (outside quotes and comments),
 * found in one pass before parsing: the parser takes seconds and hundreds of MB on a megabyte of
 * brackets, and reports the problem only at the end.
 */
export function deepFlowOffset(text: string, maxDepth: number): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      const end = text.indexOf('\n', i);
      if (end === -1) return null;
      i = end;
    } else if ((char === '"' || char === "'") && startsToken(text[i - 1])) {
      for (i++; i < text.length; i++) {
        if (char === '"' && text[i] === '\\') i++;
        else if (text[i] === char) {
          if (char === "'" && text[i + 1] === "'") i++;
          else break;
        }
      }
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > maxDepth) return i;
    } else if ((char === ']' || char === '}') && depth > 0) {
      depth -= 1;
    }
  }
  return null;
}

type Culprit = { node: Node; problem: 'cycle' | 'expansion' };

/**
 * Finds the alias that makes the document refer to itself, or at which the number of values after
 * expanding aliases passes `maxValues`. One pass in document order resolves each alias to the last
 * anchor of its name before it, as YAML does (`Alias.resolve()` would walk the whole document for
 * every alias: quadratic, seconds for 500 `<<: *defaults`). Sizes of anchored nodes are memoized,
 * so this stays linear in the size of the text however many times the aliases multiply.
 */
function aliasCulprit(doc: Document, maxValues: number): Culprit | null {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node | undefined>();
  const sizes = new Map<unknown, number>();
  function sizeOf(node: unknown): number {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1); // in progress: a cycle here is reported by the visit below
    let size = 1;
    // Every alias inside an anchored value comes before the alias of that value, so it is resolved.
    if (isAlias(node)) size = sizeOf(targets.get(node));
    else if (isCollection(node)) {
      for (const item of node.items) size += isPair(item) ? sizeOf(item.value) : sizeOf(item);
    } else if (!isScalar(node)) size = 0;
    sizes.set(node, size);
    return size;
  }
  let total = 0;
  let culprit: Culprit | null = null;
  visit(doc, {
    Node(key, node, path) {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
      if (key === 'key') return undefined;
      if (isAlias(node)) {
        const target = targets.get(node);
        if (target && path.includes(target)) {
          culprit = { node, problem: 'cycle' };
          return visit.BREAK;
        }
        total += sizeOf(target);
      } else {
        total += 1;
      }
      if (total > maxValues) {
        culprit = { node, problem: 'expansion' };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return culprit;
}

export function parseYamlConfig(text: string, file: string): unknown {
  return shareEqualStrings(readYamlText(text, file));
}

function readYamlText(text: string, file: string): unknown {
  checkFileSize(file, text.length);
  const deep = deepFlowOffset(text, CONFIG_LIMITS.maxDepth);
  if (deep !== null) {
    throw unreadable(
      file,
      `brackets are nested more than ${CONFIG_LIMITS.maxDepth} levels deep at ${lineAndColumn(text, deep)}.`,
      'Close the brackets ([ ] and { }) at that line.',
    );
  }
  // JSON text (what generators of large configurations write) is read without the `yaml`
  // package's syntax tree, which takes tens of MB per MB of flow-style text.
  const json = readJsonAsYaml(text, file);
  if (json) return json.value;
  return parseYamlDocument(text, file);
}

/** The YAML reader proper: the `yaml` package, then the checks on aliases. */
export function parseYamlDocument(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, merge: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    // The first line says what and where ("... at line 3, column 1:"); the code frame after it
    // would split the one-line message.
    const [what] = error.message.split('\n');
    throw unreadable(file, `${(what as string).replace(/:\s*$/, '')}.`, 'Correct the YAML at that line.');
  }

  const culprit = aliasCulprit(doc, CONFIG_LIMITS.maxValues) as Culprit | null;
  if (culprit) {
    const start = culprit.node.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(start);
    const alias = text.slice(start, culprit.node.range?.[1] ?? start).trim();
    throw culprit.problem === 'cycle'
      ? unreadable(
          file,
          `the alias ${alias} at line ${line}, column ${col} is inside the anchor it refers to, so the value would contain itself forever.`,
          'Remove the alias, or point it at a value outside that anchor.',
        )
      : unreadable(
          file,
          `its aliases expand to more than ${CONFIG_LIMITS.maxValues.toLocaleString('en')} values by ${alias} at line ${line}, column ${col} (aliases of aliases multiply, as in a "billion laughs" attack).`,
          'Write the values out, or use fewer nested aliases.',
        );
  }
  return doc.toJS({ maxAliasCount: CONFIG_LIMITS.maxValues });
}
