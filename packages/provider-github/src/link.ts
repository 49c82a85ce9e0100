import type { ResponseHeaders } from './errors.js';

/** The URL of one relation (`next`, `last`) of a Link header. */
export function linkTo(headers: ResponseHeaders, rel: string): string | undefined {
  const link = headers.link;
  if (link === undefined) return undefined;
  for (const part of String(link).split(',')) {
    const found = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (found && found[2]!.split(/\s+/).includes(rel)) return found[1];
  }
  return undefined;
}
