import { compileBranchPattern } from './branch-pattern.js';

export { literalBranch, literalBranches } from './literal-branch.js';

/**
 * Each `branches` entry is an RE2 regular expression matching the whole branch name. Compile once
 * per repository, not per poll (the engine and the webhook resolver keep the result); `compiled`
 * shares the compiled entries between repositories: compiling an RE2 expression costs far more
 * than matching with it, and a thousand repositories often watch the same few patterns. It also
 * shares the matcher of a whole list, so repositories watching the same branches hold one
 * function (a heap profile of watch with 5,000 repositories showed 1.3 MB of per-repository
 * matchers, arrays and closures, all alike).
 */
export function compileBranchMatcher(
  patterns: readonly string[],
  compiled: Map<string, (branch: string) => boolean> = new Map(),
): (branch: string) => boolean {
  // Keys of lists start with NUL; a pattern containing NUL (never a real branch name) is not
  // shared, so no pattern's key can be a list's.
  const shareable = !patterns.some((pattern) => pattern.includes('\0'));
  const tests = patterns.map((pattern) => {
    if (!shareable) return compileBranchPattern(pattern);
    let test = compiled.get(pattern);
    if (!test) {
      test = compileBranchPattern(pattern);
      compiled.set(pattern, test);
    }
    return test;
  });
  if (tests.length === 1) return tests[0]!;
  const listKey = shareable ? `\0${patterns.join('\0')}` : undefined;
  const known = listKey === undefined ? undefined : compiled.get(listKey);
  if (known) return known;
  const matcher = (branch: string) => tests.some((test) => test(branch));
  if (listKey !== undefined) compiled.set(listKey, matcher);
  return matcher;
}
