/**
 * Credentials written into URLs (`https://user:token@host`, `postgres://user:password@db/app`):
 * the redactor hides them in any text, and the config loader counts their passwords as secrets.
 * The user may be empty (`postgres://:password@host`): the password is still one.
 *
 * Every part is bounded (a scheme of up to 32 characters, a user of 1,024, a password of 8,192):
 * unbounded, a long run of letters with no `://` (a base64 blob in a job's output) made the scheme
 * part rescan the rest of the run from each of its characters, quadratic time (64 KiB of letters:
 * 11 s; bounded: 40 ms). A scheme written after other letters (`xhttps://`) still matches on its
 * last 32 characters, which is all the redaction needs.
 */
export const URL_CREDENTIALS = /([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/@:]{0,1024}):([^\s/@]{1,8192})@/gi;

/** The passwords written into URLs in `text`, as written there. */
export function urlPasswords(text: string): string[] {
  return Array.from(text.matchAll(URL_CREDENTIALS), (match) => match[3]!);
}
