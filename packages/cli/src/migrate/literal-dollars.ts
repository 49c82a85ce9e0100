/**
 * RepoSentry expands only `${VAR}` (and keeps any other `$` as text); sentry-git also expands
 * `$VAR`, reads `$$` as `$` and refuses a `${...}` that is no reference. So a `$` that RepoSentry
 * kept as text is written `$$` in the output, and each value means what it meant.
 */
const EXPANDED_BY_SENTRY_GIT_ONLY = /\$(?=[$A-Za-z_]|\{(?![A-Za-z_][A-Za-z0-9_]*\}))/g;

/** The value with every such `$` doubled; `changed` when there was one. */
export function keepDollarsLiteral(value: unknown): { value: unknown; changed: boolean } {
  let changed = false;
  function walk(item: unknown): unknown {
    if (typeof item === 'string') {
      const escaped = item.replace(EXPANDED_BY_SENTRY_GIT_ONLY, '$$$$');
      if (escaped !== item) changed = true;
      return escaped;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object')
      return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, walk(entry)]));
    return item;
  }
  return { value: walk(value), changed };
}
