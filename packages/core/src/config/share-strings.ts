/**
 * Makes equal strings of a freshly parsed configuration one string, in place. A file of 5,000
 * repositories repeats the same token, API root, branch names and commands in every entry, and
 * parsers make a string per occurrence (`JSON.parse` shares only short ones, the `yaml` package
 * none); the validated configuration keeps them for the life of `watch`. Objects reached twice
 * (YAML aliases) are walked once. Returns the value, for chaining.
 */
export function shareEqualStrings<T>(root: T): T {
  const known = new Map<string, string>();
  const share = (text: string): string => {
    const first = known.get(text);
    if (first !== undefined) return first;
    known.set(text, text);
    return text;
  };
  const walked = new Set<object>();
  const pending: object[] = [];
  if (root !== null && typeof root === 'object') pending.push(root);
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (walked.has(node)) continue;
    walked.add(node);
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === 'string') record[key] = share(value);
      else if (value !== null && typeof value === 'object') pending.push(value);
    }
  }
  return root;
}
