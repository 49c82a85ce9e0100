/** Each `branches` entry is a regular expression matching the whole branch name. */
export function compileBranchMatcher(patterns: readonly string[]): (branch: string) => boolean {
  const regexes = patterns.map((pattern) => new RegExp(`^(?:${pattern})$`));
  return (branch) => regexes.some((regex) => regex.test(branch));
}
