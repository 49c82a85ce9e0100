/**
 * A token is carried over as the `${VAR}` reference written in the file, never as a value: the
 * output is printed and committed, and secrets are never printed. A token written literally is
 * replaced by a reference the user then sets; the value itself goes nowhere.
 */
export interface TokenReference {
  value: string;
  /** Why the value differs from the input, for the key's comment. */
  comment: string;
  /** What the user must do, for stderr; set only when the literal value was dropped. */
  warning?: string;
}

/** `rag-service` → `RAG_SERVICE_TOKEN`: a valid variable name to hold a dropped literal token. */
export function tokenVariable(name: string): string {
  const base = name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const safe = /^[A-Z_]/.test(base) ? base : `REPO_${base}`;
  return `${safe || 'REPOSITORY'}_TOKEN`;
}

/**
 * `bareIsText`: the source format kept `$VAR` without braces as text (RepoSentry expands only
 * `${VAR}`); it is still taken as the variable it names, which is what its author meant.
 */
export function tokenReference(
  written: string,
  at: string,
  variable: string,
  bareIsText: boolean,
): TokenReference {
  if (written.includes('${')) {
    return {
      value: written,
      comment: `${at}: kept as written; sentry-git expands \${VAR} when it loads this file.`,
    };
  }
  const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(written);
  if (bare) {
    return {
      value: `\${${bare[1]}}`,
      comment: bareIsText
        ? `${at}: $${bare[1]} → \${${bare[1]}}: RepoSentry expands only the braced form, so this was the text "$${bare[1]}" there; it is the variable ${bare[1]} here.`
        : `${at}: $${bare[1]} → \${${bare[1]}}, the same variable in the braced form.`,
    };
  }
  return {
    value: `\${${variable}}`,
    comment: `${at} was written literally; it is read from \${${variable}} instead, so no token is stored here.`,
    warning: `${at} holds a literal token, which was not copied: set ${variable} to it where sentry-git runs (the output reads \${${variable}}).`,
  };
}
