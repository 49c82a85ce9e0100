import { compileBranchPattern } from './branch-pattern.js';

export { literalBranch, literalBranches } from './literal-branch.js';

/**
 * Each `branches` entry is an RE2 regular expression matching the whole branch name. Compile once
 * per repository, not per poll (the engine and the webhook resolver keep the result); `compiled`
 * shares the compiled entries between repositories: compiling an RE2 expression costs far more
 * than matching with it, and a thousand repositories often watch the same few patterns.
 */
export function compileBranchMatcher(
  patterns: readonly string[],
  compiled: Map<string, (branch: string) => boolean> = new Map(),
): (branch: string) => boolean {
  const tests = patterns.map((pattern) => {
    let test = compiled.get(pattern);
    if (!test) {
      test = compileBranchPattern(pattern);
      compiled.set(pattern, test);
    }
    return test;
  });
  if (tests.length === 1) return tests[0]!;
  return (branch) => tests.some((test) => test(branch));
}
