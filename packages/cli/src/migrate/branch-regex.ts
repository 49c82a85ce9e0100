/**
 * RepoSentry's `branch_regex` is an RE2 expression used as a search (it matches anywhere in the
 * branch name unless written `^...$`); sentry-git's `branches` entries must match the whole name
 * (`^(?:entry)$`). This turns one into the other without changing which names match.
 */

interface Token {
  kind: 'caret' | 'dollar' | 'alt' | 'open' | 'close' | 'atom';
  text: string;
}

export type BranchRegexResult = { ok: true; pattern: string } | { ok: false; message: string };

/** Escapes RE2 knows and JavaScript does not (or reads differently), with why. */
const UNSUPPORTED_ESCAPES: Record<string, string> = {
  Q: '\\Q...\\E quoting: escape each special character instead',
  E: '\\Q...\\E quoting: escape each special character instead',
  p: 'Unicode classes (\\p{...}): list the characters instead',
  P: 'Unicode classes (\\P{...}): list the characters instead',
  C: '\\C (any byte)',
};

/** Splits RE2 text into tokens, translating the RE2-only spellings JavaScript has an equivalent for. */
function tokenize(source: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) return 'ends with a lone backslash';
      const unsupported = UNSUPPORTED_ESCAPES[next];
      if (unsupported) return `uses ${unsupported}`;
      if (next === 'A') tokens.push({ kind: 'caret', text: '^' });
      else if (next === 'z') tokens.push({ kind: 'dollar', text: '$' });
      else tokens.push({ kind: 'atom', text: `\\${next}` });
      i += 2;
    } else if (char === '[') {
      let j = i + 1;
      if (source[j] === '^') j += 1;
      if (source[j] === ']') j += 1; // a leading ] is literal in RE2
      while (j < source.length && source[j] !== ']') {
        if (source[j] === '[' && source[j + 1] === ':') {
          return 'uses a POSIX class ([[:alpha:]] ...): write the range instead, e.g. [a-zA-Z]';
        }
        j += source[j] === '\\' ? 2 : 1;
      }
      if (j >= source.length) return 'has an unterminated character class';
      let text = source.slice(i, j + 1);
      // RE2's []a] means "]" or "a"; JavaScript needs the ] escaped.
      text = text.replace(/^\[(\^?)\]/, '[$1\\]');
      tokens.push({ kind: 'atom', text });
      i = j + 1;
    } else if (char === '(') {
      if (source[i + 1] !== '?') {
        tokens.push({ kind: 'open', text: '(' });
        i += 1;
      } else if (source.startsWith('(?:', i)) {
        tokens.push({ kind: 'open', text: '(?:' });
        i += 3;
      } else if (source.startsWith('(?P<', i) || source.startsWith('(?<', i)) {
        const start = source.indexOf('<', i) + 1;
        const end = source.indexOf('>', start);
        if (end < 0) return 'has an unterminated group name';
        tokens.push({ kind: 'open', text: `(?<${source.slice(start, end)}>` });
        i = end + 1;
      } else if (/[a-zA-Z-]/.test(source[i + 2] ?? '')) {
        return 'sets flags inline ((?i), (?s) ...), which JavaScript patterns cannot: spell the cases out, e.g. [Mm]ain';
      } else {
        return `uses a group RE2 does not have (${source.slice(i, i + 3)}...)`;
      }
    } else if (char === ')') {
      tokens.push({ kind: 'close', text: ')' });
      i += 1;
    } else {
      const kind = char === '^' ? 'caret' : char === '$' ? 'dollar' : char === '|' ? 'alt' : 'atom';
      tokens.push({ kind, text: char });
      i += 1;
    }
  }
  return tokens;
}

function text(tokens: Token[]): string {
  return tokens.map((token) => token.text).join('');
}

/** The alternatives of the top level (`a|b(c|d)` → `a`, `b(c|d)`). */
function alternatives(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'open') depth += 1;
    if (token.kind === 'close') depth -= 1;
    if (token.kind === 'alt' && depth === 0) parts.push([]);
    else parts[parts.length - 1]?.push(token);
  }
  return parts;
}

/** `(X)` whose parentheses enclose everything: X, else null. */
function innerOfWholeGroup(tokens: Token[]): Token[] | null {
  if (tokens[0]?.kind !== 'open' || tokens.at(-1)?.kind !== 'close') return null;
  let depth = 0;
  for (let index = 0; index < tokens.length; index += 1) {
    const kind = tokens[index]?.kind;
    if (kind === 'open') depth += 1;
    if (kind === 'close') depth -= 1;
    if (depth === 0 && index < tokens.length - 1) return null;
  }
  return tokens.slice(1, -1);
}

/**
 * One alternative as a full-match pattern: a leading `^` / trailing `$` is dropped (the full
 * match anchors it), a missing one becomes `.*` (a search may skip any prefix or suffix). Other
 * `^`/`$` stay: they assert the start/end of the name in JavaScript exactly as in RE2.
 */
function fullMatch(tokens: Token[]): { pattern: string; anchored: boolean; body: Token[] } {
  let start = 0;
  let end = tokens.length;
  while (start < end && tokens[start]?.kind === 'caret') start += 1;
  while (end > start && tokens[end - 1]?.kind === 'dollar') end -= 1;
  const body = tokens.slice(start, end);
  const anchoredStart = start > 0;
  const anchoredEnd = end < tokens.length;
  const prefix = anchoredStart ? '' : '.*';
  const suffix = anchoredEnd ? '' : '.*';
  const inner = text(body);
  const pattern = inner === '' && !(anchoredStart && anchoredEnd) ? '.*' : `${prefix}${inner}${suffix}`;
  return { pattern, anchored: anchoredStart && anchoredEnd, body };
}

/**
 * `^(main|dev-.*)$` → `main|dev-.*`; `foo` → `.*foo.*`; `^release/` → `release/.*`;
 * `^main$|hotfix` → `main|.*hotfix.*`. An empty expression (match every branch) → `.*`.
 */
export function branchRegexToFullMatch(source: string): BranchRegexResult {
  const tokens = tokenize(source);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'open') depth += 1;
    if (token.kind === 'close') depth -= 1;
    if (depth < 0) return { ok: false, message: 'has a ) without its (' };
  }
  if (depth !== 0) return { ok: false, message: 'has a ( without its )' };
  const parts = alternatives(tokens).map(fullMatch);
  let pattern = parts.map((part) => part.pattern).join('|');
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.anchored) {
    // A group around everything adds nothing once the whole name must match.
    const inner = innerOfWholeGroup(only.body);
    if (inner) pattern = text(inner);
  }
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    return { ok: false, message: `is not a valid regular expression here: ${(error as Error).message}` };
  }
  return { ok: true, pattern };
}
