import type { ConfigIssue } from '../errors.js';

/**
 * Variables are expanded in every string value as the original Sentry did (`${VAR}` and `$VAR`),
 * with docker-compose's escape (`$$` is a literal `$`) and default (`${VAR:-default}`). Two
 * places are read by a shell later, so they are not expanded the same way:
 * - a list under `commands`: nothing is expanded; bash expands `$VAR` when the command runs;
 * - `deploy.tekton.pipelinerun`, an inline Kubernetes object whose steps may hold shell scripts:
 *   only `${VAR}` (and `$${` for a literal `${`); `$VAR` and `$$` are the container shell's.
 */
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
/** `$$` | `${NAME}` / `${NAME:-default}` | `${...}` that is not a reference | `$NAME`. */
const FULL = new RegExp(`\\$\\$|\\$\\{(${NAME})(?::-([^}]*))?\\}|\\$\\{[^}]*\\}?|\\$(${NAME})`, 'g');
const BRACED_ONLY = new RegExp(`\\$\\$\\{|\\$\\{(${NAME})(?::-([^}]*))?\\}`, 'g');
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL/i;
/** Shorter values ("true", "1234") would redact ordinary text. */
const MIN_ENV_SECRET_LENGTH = 6;

type Mode = 'full' | 'braced-only' | 'none';

/**
 * Values of environment variables whose names look like secrets (`*_TOKEN`, `*_SECRET`, ...):
 * deploy commands see the environment, so whatever they print is redacted too.
 */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) =>
        SECRET_NAME.test(name) && typeof value === 'string' && value.length >= MIN_ENV_SECRET_LENGTH,
    )
    .map(([, value]) => value as string);
}

export interface ExpandResult {
  value: unknown;
  /** Unset variables and malformed references, with their key paths; the text is left as written. */
  issues: ConfigIssue[];
  /** The issues of `issues` that are unset variables (not malformed references). */
  unset: ConfigIssue[];
  /** Values that came from variables whose names look like secrets: the redactor hides them. */
  secrets: string[];
}

export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Issues with those at the key of an unset variable (left as written for read-only use) told as
 * the unset variable: `expected a number, got the string "${INTERVAL}"` means "INTERVAL is not set".
 */
export function explainUnsetVariables(
  issues: readonly ConfigIssue[],
  unset: readonly ConfigIssue[],
): ConfigIssue[] {
  if (unset.length === 0) return [...issues];
  const byPath = new Map(unset.map((issue) => [issue.path, issue]));
  return [...new Set(issues.map((issue) => byPath.get(issue.path) ?? issue))];
}

function unsetMessage(name: string, bare: boolean): string {
  const where = 'set it (in the environment or a .env file beside the config)';
  return bare
    ? `environment variable ${name} is not set ($${name} is expanded like \${${name}}). Fix: ${where}, write \${${name}:-default}, or write $$${name} for the literal text $${name}.`
    : `environment variable ${name} is not set. Fix: ${where}, or write \${${name}:-default}.`;
}

function modeBelow(mode: Mode, at: ReadonlyArray<string | number>, key: string | number): Mode {
  if (mode === 'full' && key === 'pipelinerun' && at[at.length - 1] === 'tekton') return 'braced-only';
  return mode;
}

export function expandEnv(input: unknown, env: Readonly<Record<string, string | undefined>>): ExpandResult {
  const issues: ConfigIssue[] = [];
  const unset: ConfigIssue[] = [];
  const secrets: string[] = [];

  function lookup(name: string, fallback: string | undefined, match: string, at: string, bare: boolean) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      if (SECRET_NAME.test(name)) secrets.push(value);
      return value;
    }
    if (fallback !== undefined) return fallback;
    if (value === '') return '';
    const issue = { path: at, message: unsetMessage(name, bare) };
    issues.push(issue);
    unset.push(issue);
    return match;
  }

  function expandString(text: string, at: string, mode: Mode): string {
    if (mode === 'none' || !text.includes('$')) return text;
    if (mode === 'braced-only') {
      return text.replace(BRACED_ONLY, (match, name: string | undefined, fallback: string | undefined) =>
        match === '$${' ? '${' : lookup(name as string, fallback, match, at, false),
      );
    }
    return text.replace(
      FULL,
      (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
        if (match === '$$') return '$';
        if (braced !== undefined) return lookup(braced, fallback, match, at, false);
        if (bare !== undefined) return lookup(bare, undefined, match, at, true);
        issues.push({
          path: at,
          message: `"${match}" is not a variable reference. Fix: write \${NAME} or \${NAME:-default} (NAME: letters, digits and _, not starting with a digit), or $$ for a literal $.`,
        });
        return match;
      },
    );
  }

  function walk(value: unknown, at: Array<string | number>, mode: Mode): unknown {
    if (typeof value === 'string') return expandString(value, formatPath(at), mode);
    if (Array.isArray(value)) {
      const itemMode = at[at.length - 1] === 'commands' ? 'none' : mode;
      return value.map((item, index) => walk(item, [...at, index], itemMode));
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value))
        out[key] = walk(item, [...at, key], modeBelow(mode, at, key));
      return out;
    }
    return value;
  }

  return { value: walk(input, [], 'full'), issues, unset, secrets };
}
