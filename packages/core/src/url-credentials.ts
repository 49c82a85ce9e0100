/**
 * Credentials written into URLs (`https://user:token@host`, `postgres://user:password@db/app`):
 * the redactor hides them in any text, and the config loader counts their passwords as secrets.
 * The user may be empty (`postgres://:password@host`): the password is still one.
 */
export const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]+)@/gi;

/** The passwords written into URLs in `text`, as written there. */
export function urlPasswords(text: string): string[] {
  return Array.from(text.matchAll(URL_CREDENTIALS), (match) => match[3]!);
}
