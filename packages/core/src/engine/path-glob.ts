import picomatch from 'picomatch';
import { RE2JS } from 're2js';

/**
 * `paths` / `ignore_paths` globs: picomatch parses them (its glob syntax and semantics), RE2
 * matches them. picomatch's own JavaScript regular expression backtracks: `*a*a*a*a*a*a*a*a*a*b`
 * against a 40-character file name takes seconds. RE2 takes linear time.
 *
 * picomatch writes a few lookaheads RE2 does not have. With `dot: true`, the ones below only refuse
 * empty paths, empty segments and `.` / `..` segments, which never occur in the file names Git
 * reports, so they are dropped. Anything else that needs a lookahead (a negated extglob `!(x)`)
 * is refused at validation.
 */
const OPTIONS = { dot: true } as const;

const PATH_ONLY_LOOKAHEADS = (() => {
  const chars = picomatch.constants.globChars(false) as Record<string, string>;
  return ['NO_DOTS', 'NO_DOT_SLASH', 'NO_DOTS_SLASH', 'ONE_CHAR']
    .map((name) => chars[name])
    .filter((text): text is string => typeof text === 'string');
})();

interface ParsedGlob {
  /** RE2 source of the glob (without a leading `!`). */
  source: string;
  /** The glob starts with `!`: it matches what the rest does not. */
  negated: boolean;
}

function parse(glob: string): ParsedGlob {
  const regex = picomatch.makeRe(glob, OPTIONS, false, true) as RegExp & {
    state?: { output?: string; negated?: boolean };
  };
  const output = regex.state?.output ?? regex.source;
  let source = output;
  for (const lookahead of PATH_ONLY_LOOKAHEADS) source = source.replaceAll(lookahead, '');
  return { source, negated: regex.state?.negated === true };
}

function compileGlob(glob: string): (file: string) => boolean {
  const { source, negated } = parse(glob);
  const regex = RE2JS.compile(source);
  // picomatch also takes a glob that is exactly the file name as a match.
  const matches = (file: string) => file === glob || regex.testExact(file);
  return negated ? (file) => !matches(file) : matches;
}

/** Why a glob cannot be matched in linear time, with a fix; null when it can. */
export function pathGlobProblem(glob: string): string | null {
  try {
    compileGlob(glob);
    return null;
  } catch {
    return /!\(/.test(glob)
      ? 'a negated extglob !(...) needs a lookahead, which the linear-time matcher has not. Fix: put the files to skip in ignore_paths instead'
      : 'it cannot be turned into a linear-time matcher. Fix: use *, **, ?, [abc] and {a,b} only';
  }
}

/** A test of a changed file's path against globs (any of them), compiled once. */
export function compilePathGlobs(globs: readonly string[]): (file: string) => boolean {
  const tests = globs.map(compileGlob);
  return (file) => tests.some((test) => test(file));
}
