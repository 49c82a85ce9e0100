import type { ConfigIssue } from '../errors.js';

/**
 * `${VAR}` and `${VAR:-default}` are expanded in every string value, except in `commands`
 * (the shell expands `$VAR` itself at run time). `$${` writes a literal `${`.
 */
const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL/i;
/** Shorter values ("true", "1234") would redact ordinary text. */
const MIN_ENV_SECRET_LENGTH = 6;

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
  issues: ConfigIssue[];
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

export function expandEnv(input: unknown, env: Readonly<Record<string, string | undefined>>): ExpandResult {
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];

  function expandString(text: string, at: Array<string | number>): string {
    return text.replace(PLACEHOLDER, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const key = name as string;
      const value = env[key];
      if (value !== undefined && value !== '') {
        if (SECRET_NAME.test(key)) secrets.push(value);
        return value;
      }
      if (fallback !== undefined) return fallback;
      if (value === '') return '';
      issues.push({
        path: formatPath(at),
        message: `environment variable ${key} is not set. Fix: set it (in the environment or a .env file beside the config), or write \${${key}:-default}.`,
      });
      return match;
    });
  }

  function walk(value: unknown, at: Array<string | number>): unknown {
    if (typeof value === 'string') return expandString(value, at);
    if (Array.isArray(value)) {
      if (at[at.length - 1] === 'commands') return value.slice();
      return value.map((item, index) => walk(item, [...at, index]));
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...at, key]);
      return out;
    }
    return value;
  }

  return { value: walk(input, []), issues, secrets };
}
