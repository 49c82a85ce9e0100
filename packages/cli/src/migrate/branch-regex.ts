import { branchPatternProblem } from '@sentry-git/core/internal';

/**
 * RepoSentry's `branch_regex` is an RE2 expression used as a search (it matches anywhere in the
 * branch name unless written `^...$`); sentry-git's `branches` entries are RE2 too but must match
 * the whole name. This turns one into the other without changing which names match, keeping
 * RE2 spellings (`(?P<name>...)`, `(?i)`, `[[:alpha:]]`, `\pL`, `\Q...\E`) as written.
 */

interface Token {
  /** `flags` is an inline flag setting such as `(?i)`: it matches nothing and stays where it is. */
  kind: 'caret' | 'dollar' | 'alt' | 'open' | 'close' | 'flags' | 'atom';
  text: string;
}

export type BranchRegexResult = { ok: true; pattern: string } | { ok: false; message: string };

/** The index of the `]` that closes the character class opened at `start`, or -1. */
function classEnd(source: string, start: number): number {
  let j = start + 1;
  if (source[j] === '^') j += 1;
  if (source[j] === ']') j += 1; // a leading ] is literal in RE2
  while (j < source.length && source[j] !== ']') {
    if (source.startsWith('[:', j)) {
      // A POSIX class such as [:alpha:] ends at its own :].
      const close = source.indexOf(':]', j + 2);
      j = close < 0 ? j + 1 : close + 2;
    } else {
      j += source[j] === '\\' ? 2 : 1;
    }
  }
  return j < source.length ? j : -1;
}

/** The length of the escape at `i` (`\d`, `\pL`, `\p{Greek}`, `\x{41}`, `\Q...\E`). */
function escapeLength(source: string, i: number): number {
  const next = source[i + 1];
  if (next === 'Q') {
    const end = source.indexOf('\\E', i + 2);
    return end < 0 ? source.length - i : end + 2 - i;
  }
  if ((next === 'p' || next === 'P' || next === 'x') && source[i + 2] === '{') {
    const end = source.indexOf('}', i + 3);
    return end < 0 ? 2 : end + 1 - i;
  }
  if ((next === 'p' || next === 'P') && source[i + 2] !== undefined) return 3;
  return 2;
}

/**
 * Splits RE2 text into the tokens the conversion needs to see: anchors, alternation and groups.
 * Everything else (classes, escapes, quoted text) stays one opaque atom, spelled as written:
 * sentry-git's branch patterns are RE2 too.
 */
function tokenize(source: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (char === '\\') {
      if (source[i + 1] === undefined) return 'ends with a lone backslash';
      const length = escapeLength(source, i);
      const escaped = source.slice(i, i + length);
      const kind = escaped === '\\A' ? 'caret' : escaped === '\\z' ? 'dollar' : 'atom';
      tokens.push({ kind, text: escaped });
      i += length;
    } else if (char === '[') {
      const end = classEnd(source, i);
      if (end < 0) return 'has an unterminated character class';
      tokens.push({ kind: 'atom', text: source.slice(i, end + 1) });
      i = end + 1;
    } else if (char === '(') {
      const rest = source.slice(i);
      if (/^\(\?<?[=!]/.test(rest)) {
        return `uses a lookaround (${rest.startsWith('(?<') ? rest.slice(0, 4) : rest.slice(0, 3)}...), which RE2 does not have`;
      }
      const flags = /^\(\?[a-zA-Z-]+\)/.exec(rest);
      const group = /^\((?:\?(?:P?<[^>]*>|[a-zA-Z-]*:))?/.exec(rest);
      if (flags) {
        tokens.push({ kind: 'flags', text: flags[0] });
        i += flags[0].length;
      } else if (group && (group[0].length > 1 || rest[1] !== '?')) {
        tokens.push({ kind: 'open', text: group[0] });
        i += group[0].length;
      } else {
        return `uses a group RE2 does not have (${rest.slice(0, 3)}...)`;
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
 * `^`/`$` stay: they assert the start/end of the name in a full match as in a search. Leading
 * inline flags (`(?i)`) stay in front.
 */
function fullMatch(tokens: Token[]): { pattern: string; anchored: boolean; lead: string; body: Token[] } {
  let start = 0;
  let end = tokens.length;
  let lead = '';
  let anchoredStart = false;
  for (; start < end; start += 1) {
    const token = tokens[start]!;
    if (token.kind === 'flags') lead += token.text;
    else if (token.kind === 'caret') anchoredStart = true;
    else break;
  }
  while (end > start && tokens[end - 1]?.kind === 'dollar') end -= 1;
  const body = tokens.slice(start, end);
  const anchoredEnd = end < tokens.length;
  const prefix = anchoredStart ? '' : '.*';
  const suffix = anchoredEnd ? '' : '.*';
  const inner = text(body);
  const pattern =
    inner === '' && !(anchoredStart && anchoredEnd) ? `${lead}.*` : `${lead}${prefix}${inner}${suffix}`;
  return { pattern, anchored: anchoredStart && anchoredEnd, lead, body };
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
    if (inner) pattern = `${only.lead}${text(inner)}`;
  }
  const problem = branchPatternProblem(pattern);
  if (problem)
    return { ok: false, message: `cannot be a branch pattern: ${problem.reason} (fix: ${problem.fix})` };
  return { ok: true, pattern };
}
