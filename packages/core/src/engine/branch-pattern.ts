import { RE2JS, RE2JSSyntaxException } from 're2js';
import { literalBranch } from './literal-branch.js';

/**
 * Branch patterns are RE2 regular expressions, the syntax of Go programs such as RepoSentry (the
 * original Sentry, also Go, asked for each entry by name), matched by re2js: linear time in the
 * branch name whatever the pattern, so a pattern like `(a+)+$` and a hostile branch name cannot
 * stall the engine as a backtracking engine would.
 */

/** Why a pattern is refused, and how to write what was meant. */
export interface BranchPatternProblem {
  reason: string;
  fix: string;
}

const GENERIC_FIX = 'escape special characters, e.g. "release\\\\.1" or "feature/.*"';

/** RE2's syntax error, told in terms of what the user most likely wrote. */
function explain(error: RE2JSSyntaxException): BranchPatternProblem {
  const code = error.error;
  const input = error.input ?? '';
  if (code === 'invalid escape sequence') {
    if (/^\\[0-9]/.test(input) || input === '\\k') {
      return {
        reason: `it uses a backreference, ${input}, which RE2 does not have: matching one can take exponential time`,
        fix: 'repeat the group\'s pattern instead, e.g. "(a|b)-(a|b)"',
      };
    }
    if (input === '\\u') {
      return {
        reason: "it uses JavaScript's \\u escape, which RE2 writes \\x{...}",
        fix: 'write the code point as \\x{0041}, or the character itself',
      };
    }
    return {
      reason: `RE2 has no escape ${input}`,
      fix: 'escape only punctuation (e.g. "\\\\.") or use an RE2 class such as \\d, \\w, \\s',
    };
  }
  if (code === 'invalid or unsupported Perl syntax' && /^\(\?[=!]/.test(input)) {
    return {
      reason: `it uses a lookahead, ${input}...), which RE2 does not have`,
      fix: 'list the branches to watch instead (e.g. "release/.*|hotfix/.*"): a pattern cannot exclude names',
    };
  }
  if (/^\(\?<[=!]/.test(input)) {
    return {
      reason: `it uses a lookbehind, ${input.slice(0, 4)}...), which RE2 does not have`,
      fix: 'list the branches to watch instead (e.g. "release/.*|hotfix/.*"): a pattern cannot exclude names',
    };
  }
  if (code === 'invalid repeat count') {
    return {
      reason: `its repeat count ${input} is more than RE2 allows (at most 1000)`,
      fix: 'use * or + instead of a large count',
    };
  }
  if (code === 'invalid nested repetition operator') {
    return {
      reason: `it repeats a repetition, ${input}, and RE2 has no possessive quantifiers`,
      fix: 'write a single repetition, e.g. "a+" for "a++"',
    };
  }
  return {
    reason: `it is not a valid RE2 regular expression: ${code}${input ? ` in \`${input}\`` : ''}`,
    fix: GENERIC_FIX,
  };
}

/** What RE2 refuses in a `branches` entry, with the reason and a fix; null when it compiles. */
export function branchPatternProblem(pattern: string): BranchPatternProblem | null {
  if (literalBranch(pattern) !== null) return null;
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) return explain(error);
    return { reason: `it cannot be compiled: ${(error as Error).message}`, fix: GENERIC_FIX };
  }
}

/** Branch names whose match result a compiled pattern remembers. */
export const MATCH_MEMO_SIZE = 1024;

/**
 * One `branches` entry as a test of a whole branch name (RE2's full match, what `^(?:pattern)$`
 * would be). Throws for a pattern `branchPatternProblem` refuses; validation has reported it.
 */
export function compileBranchPattern(pattern: string): (branch: string) => boolean {
  // A plain name (most entries: main, develop) needs no regular expression at all.
  const name = literalBranch(pattern);
  if (name !== null) return (branch) => branch === name;
  const regex = RE2JS.compile(pattern);
  // Every poll matches the same names again (and repositories sharing a pattern share its names):
  // re2js's match was about 3 % of an unchanged github-regex cycle's busy time in the bench profile,
  // a Map lookup is not. Bounded: a pattern that meets many distinct names starts over.
  const seen = new Map<string, boolean>();
  return (branch) => {
    const known = seen.get(branch);
    if (known !== undefined) return known;
    const matches = regex.testExact(branch);
    if (seen.size >= MATCH_MEMO_SIZE) seen.clear();
    seen.set(branch, matches);
    return matches;
  };
}
