// Characters that make a `branches` entry a regular expression rather than a name.
const REGEX_SYNTAX = new Set(['^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;

/**
 * The one branch name a full-match pattern stands for, or null when it is a real regular
 * expression: `main` and `feature/#123` are names; `release/1\.2` is the name `release/1.2` (an
 * escaped punctuation mark stands for itself); `dev.*` and `v\d+` are not. Providers probe
 * literal names one by one (cheap, conditional) instead of listing every branch.
 */
export function literalBranch(pattern: string): string | null {
  let name = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\') {
      const next = pattern[index + 1];
      // RE2 reads an escaped ASCII punctuation mark as itself; `\d`, `\pL`, `\Q…\E`, `\x41`… are
      // classes, assertions or quoting, a trailing `\` is broken.
      if (next === undefined || !ASCII_PUNCTUATION.test(next)) return null;
      name += next;
      index++;
      continue;
    }
    if (REGEX_SYNTAX.has(char)) return null;
    name += char;
  }
  return name === '' ? null : name;
}

/** The names of the patterns when every one is literal (without duplicates), else null. */
export function literalBranches(patterns: readonly string[] | undefined): string[] | null {
  if (!patterns || patterns.length === 0) return null;
  const names = new Set<string>();
  for (const pattern of patterns) {
    const name = literalBranch(pattern);
    if (name === null) return null;
    names.add(name);
  }
  return [...names];
}
