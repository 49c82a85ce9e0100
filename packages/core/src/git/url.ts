import { REDACTED } from '../redact.js';

/** A URL split into the part git may see and the credentials written into it. */
export interface UrlCredentials {
  /** The URL without a password (and, for http(s), without any user info). */
  url: string;
  username: string | undefined;
  password: string | undefined;
}

// Matches up to the last `@` of the authority, as WHATWG URL parsing does, so a password with an
// unencoded `@` is still cut out whole.
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;
const HTTP_URL = /^https?:\/\//i;

export function isHttpUrl(url: string): boolean {
  return HTTP_URL.test(url);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Takes credentials out of a URL. For http(s) the whole user info goes (git gets it back through
 * configuration, never argv); for other schemes only a password goes, since a user name such as
 * `git@` in `ssh://git@host/x` is how SSH URLs normally look and is no secret.
 */
export function splitUrlCredentials(url: string): UrlCredentials {
  const found = URL_USERINFO.exec(url);
  if (!found) return { url, username: undefined, password: undefined };
  const [whole, scheme = '', userinfo = ''] = found;
  const colon = userinfo.indexOf(':');
  const rawUser = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon === -1 ? undefined : userinfo.slice(colon + 1);
  const rest = url.slice(whole.length);
  const username = rawUser === '' ? undefined : decode(rawUser);
  const password = rawPassword === undefined ? undefined : decode(rawPassword);
  if (isHttpUrl(url)) return { url: `${scheme}${rest}`, username, password };
  const keptUser = rawUser === '' ? '' : `${rawUser}@`;
  return { url: `${scheme}${keptUser}${rest}`, username, password };
}

/**
 * A URL safe to print. A password is replaced; for http(s) a lone user name is replaced too,
 * because hosts accept a token there (`https://<token>@github.com/o/r`).
 */
export function redactUrl(url: string): string {
  const found = URL_USERINFO.exec(url);
  if (!found) return url;
  const [whole, scheme = '', userinfo = ''] = found;
  const rest = url.slice(whole.length);
  const colon = userinfo.indexOf(':');
  if (colon !== -1) return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@${rest}`;
  if (isHttpUrl(url)) return `${scheme}${REDACTED}@${rest}`;
  return url;
}
