/** The `rel="next"` target of a `Link` header, or null when it has none. */
export function nextLink(link: string): string | null {
  for (const part of link.split(',')) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rel = /\brel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(match[2]!);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return match[1]!;
  }
  return null;
}

/** What one page of a list answer said about the pages after it. */
export interface PageInfo {
  page: number;
  /** Items on this page. */
  count: number;
  /** Items read so far, this page included. */
  seen: number;
}

/**
 * The page to read after `info.page`, or null at the end. Gitea sends `Link` (followed to its
 * `page`) and `X-Total-Count`; without them, reading goes on until an empty page, because the
 * server may have cut the page size below what was asked.
 */
export function nextPage(headers: Headers, info: PageInfo): number | null {
  const link = headers.get('link');
  if (link !== null && link.trim() !== '') {
    const next = nextLink(link);
    if (next === null) return null;
    try {
      const page = Number.parseInt(
        new URL(next, 'http://relative.invalid').searchParams.get('page') ?? '',
        10,
      );
      if (page > info.page) return page;
    } catch {
      // An unparsable target still says there is a next page.
    }
    return info.page + 1;
  }
  const total = Number.parseInt(headers.get('x-total-count') ?? '', 10);
  if (Number.isFinite(total)) return info.seen < total && info.count > 0 ? info.page + 1 : null;
  return info.count > 0 ? info.page + 1 : null;
}
