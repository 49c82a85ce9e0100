import type { AuthConfig } from '@sentry-git/core';

// Same rule as @sentry-git/provider-git's gitAuthEnv (providers and executors may not import
// each other); both move to core later. Keep the two in step.

const DEFAULT_USERS: Readonly<Record<string, string>> = { github: 'x-access-token', gitlab: 'oauth2' };

function parseUrl(url: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Credentials for git over HTTP(S), given to git as an environment-provided `http.extraHeader`
 * (GIT_CONFIG_COUNT/KEY/VALUE): they never appear in a process's arguments and git never
 * writes them to a clone's `.git/config`. Credentials written into the URL are removed from it
 * and used when `auth` has no token. SSH, file and other URLs get no environment.
 */
export function gitAuthEnv(
  url: string,
  auth: AuthConfig | undefined,
  type: string | undefined,
): { url: string; env: Record<string, string> } {
  const parsed = parseUrl(url);
  if (!parsed) return { url, env: {} };
  const urlUser = decode(parsed.username);
  const urlPassword = decode(parsed.password);
  if (!isHttp(parsed)) {
    // An SSH user name is part of the address; only a password is a secret.
    if (!urlPassword) return { url, env: {} };
    parsed.password = '';
    return { url: parsed.href, env: {} };
  }
  parsed.username = '';
  parsed.password = '';
  const cleanUrl = urlUser || urlPassword ? parsed.href : url;
  const token = auth?.token || urlPassword;
  if (!token) return { url: cleanUrl, env: {} };
  const user = auth?.username || (urlPassword ? urlUser : '') || DEFAULT_USERS[type ?? ''] || 'git';
  const basic = Buffer.from(`${user}:${token}`, 'utf8').toString('base64');
  return {
    url: cleanUrl,
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    },
  };
}

/** A URL fit for messages: credentials replaced by `***` (HTTP user names too, as tokens are often sent as one). */
export function redactUrl(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed || (!parsed.username && !parsed.password)) return url;
  if (isHttp(parsed) && parsed.username) parsed.username = '***';
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
