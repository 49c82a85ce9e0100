import type { AuthConfig } from '../config/schema.js';
import { isHttpUrl, splitUrlCredentials } from './url.js';

/** What to run git with so that it authenticates without a secret in its arguments. */
export interface GitAuthEnv {
  /** The URL to pass to git: no credentials in it. */
  url: string;
  /** Environment to add to git's (configuration through `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`). */
  env: Record<string, string>;
  /** Every secret value involved (token, URL password, encoded header), to seed a redactor. */
  secrets: string[];
}

/** The user name hosts expect next to a token when none is configured. */
export function defaultUsername(type: string | undefined): string {
  if (type === 'github') return 'x-access-token';
  if (type === 'gitlab') return 'oauth2';
  return 'git';
}

/**
 * Credentials for git over http(s), given as an `Authorization` header in environment-provided
 * git configuration: environment is not visible in `ps` to other users, arguments are, and
 * nothing is written to a `.git/config`. Credentials written into the URL are moved the same way.
 * Other schemes (ssh, git, file, local paths) get no header: SSH authenticates with keys and the
 * others have no authentication.
 */
export function gitAuthEnv(url: string, auth?: AuthConfig, type?: string): GitAuthEnv {
  const split = splitUrlCredentials(url);
  if (!isHttpUrl(url)) return { url: split.url, env: {}, secrets: present([auth?.token, split.password]) };
  // A user name alone in an http(s) URL may be a token (`https://<token>@github.com/o/r`).
  const secrets = present([auth?.token, split.password, split.username]);

  const token = auth?.token || split.password;
  const username = auth?.username || split.username;
  if (!token) {
    // A lone user name still reaches credential helpers, without sitting in argv (it may be a token).
    if (!username) return { url: split.url, env: {}, secrets };
    return { url: split.url, env: gitConfigEnv('credential.username', username), secrets };
  }
  const basic = Buffer.from(`${username || defaultUsername(type)}:${token}`, 'utf8').toString('base64');
  return {
    url: split.url,
    env: gitConfigEnv('http.extraHeader', `Authorization: Basic ${basic}`),
    secrets: [...secrets, basic],
  };
}

function gitConfigEnv(key: string, value: string): Record<string, string> {
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: key, GIT_CONFIG_VALUE_0: value };
}

function present(values: Array<string | undefined>): string[] {
  return values.filter((value): value is string => Boolean(value));
}
