import {
  type BranchHead,
  isSentryError,
  type ListHeadsOptions,
  type ListHeadsResult,
} from '@sentry-git/core';
import { type KnownAnswer, literalBranches } from '@sentry-git/core/internal';
import type { GitlabCall } from './client.js';
import { badResponseError } from './errors.js';
import { queryString } from './requester.js';

/**
 * What listHeads remembers per project between calls: how many branches the last full listing
 * found, and which servers answered a `regex`-filtered listing with every branch (GitLab versions
 * whose branches API does not know the filter ignore it).
 */
export interface BranchBook {
  counts: Map<string, number>;
  unfiltered: Set<string>;
  /**
   * Per `branches` list (the configuration's array, the same every poll): its literal names, its
   * `regex` filter and the first page's query for it. Working them out again per poll (names,
   * escaped regex, query string) showed in the bench profile of unchanged cycles.
   */
  filters: WeakMap<readonly string[], PatternFilter>;
  /**
   * Per project and page of its last listing (`pageKey`): the query and URL asked, the body's
   * digest and the heads read from it. GitLab answers no conditional requests on branches, but sends the
   * same bytes while nothing moved; those are not parsed again (core's `readDigested`).
   */
  pages: Map<string, KnownPage>;
}

interface KnownPage extends KnownAnswer<BranchHead[]> {
  query: string;
  /** The URL asked for it, parsed once. */
  url: URL | undefined;
}

interface PatternFilter {
  /** The names, when every pattern is a plain name. */
  names: string[] | null;
  /** GitLab's `regex` filter for the whole list; undefined when there is none to ask. */
  regex: string | undefined;
  /** GitLab refused the filter (400: its RE2 would not compile it); the list is read whole. */
  refused: boolean;
  /** The first page's query per page size. */
  queries: Map<number, string>;
}

export function createBranchBook(): BranchBook {
  return { counts: new Map(), unfiltered: new Set(), filters: new WeakMap(), pages: new Map() };
}

function filterOf(book: BranchBook, patterns: readonly string[]): PatternFilter {
  let known = book.filters.get(patterns);
  if (!known) {
    const names = literalBranches(patterns);
    // No names means no patterns, and patternsRegex has no filter for those either.
    const regex = names?.length ? exactNamesRegex(names) : patternsRegex(patterns);
    known = { names, regex, refused: false, queries: new Map() };
    book.filters.set(patterns, known);
  }
  return known;
}

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
// A bound on Link-following, should a server ever hand back a loop.
const MAX_PAGES = 10_000;
// Beyond this, a filter of names would make the URL longer than servers and proxies accept.
const MAX_FILTER_LENGTH = 2000;

function headOf(call: GitlabCall, endpoint: string, value: unknown): BranchHead {
  const record = value as { name?: unknown; commit?: { id?: unknown } } | null;
  const name = record?.name;
  const sha = record?.commit?.id;
  if (typeof name !== 'string' || typeof sha !== 'string' || !OBJECT_ID.test(sha)) {
    throw badResponseError(call.scope, { method: 'GET', endpoint }, 'a branch without a name or commit id');
  }
  return { branch: name, sha };
}

function isMissingBranch(error: unknown): boolean {
  if (!isSentryError(error) || error.code !== 'PROVIDER_NOT_FOUND') return false;
  // GitLab says `404 Branch Not Found` for a missing branch and `404 Project Not Found` for a
  // missing project; only the first means "no such branch (yet)".
  return /branch not found/i.test(String(error.details?.gitlabMessage ?? ''));
}

async function probe(call: GitlabCall, names: string[]): Promise<BranchHead[]> {
  const project = encodeURIComponent(call.address.projectPath);
  const heads: BranchHead[] = [];
  for (const name of names) {
    const endpoint = `projects/${project}/repository/branches/${encodeURIComponent(name)}`;
    try {
      heads.push(headOf(call, endpoint, (await call.get(endpoint)).body));
    } catch (error) {
      if (!isMissingBranch(error)) throw error;
    }
  }
  return heads;
}

/** The `rel="next"` URL of a Link header, read as gitbeaker reads it. */
function nextLink(link: string | null | undefined): string | undefined {
  if (!link?.includes('rel="next"')) return undefined;
  for (const [, url, rel] of link.matchAll(/<([^>]+)>; rel="([^"]+)"/g)) if (rel === 'next') return url;
  return undefined;
}

/** Where the listing of `project` keeps its `page` in `BranchBook.pages`. */
function pageKey(project: string, page: number): string {
  return page === 1 ? project : `${project}\n${page}`;
}

async function listAll(
  call: GitlabCall,
  perPage: number,
  /** Where the project's pages are kept (`BranchBook.pages`), and the project's key there. */
  pages: Map<string, KnownPage>,
  project: string,
  filter?: PatternFilter,
): Promise<BranchHead[]> {
  const endpoint = `projects/${encodeURIComponent(call.address.projectPath)}/repository/branches`;
  const heads: BranchHead[] = [];
  // Pages are followed through `Link: rel="next"` (GitLab leaves out X-Total and rel="last" above
  // 10,000 branches, but always sends rel="next"); like gitbeaker, its query is asked of the
  // same endpoint, so the token never follows a link to another host.
  let query = firstQuery(perPage, filter);
  let page = 1;
  for (; page <= MAX_PAGES; page += 1) {
    const key = pageKey(project, page);
    const kept = pages.get(key);
    const seen = kept?.query === query ? kept : undefined;
    const answer = await call.getWithQuery(endpoint, query, { digest: seen?.digest, url: seen?.url });
    let pageHeads: BranchHead[];
    if (answer.unchanged && seen) pageHeads = seen.value;
    else {
      if (!Array.isArray(answer.body)) {
        throw badResponseError(call.scope, { method: 'GET', endpoint }, 'the branch list is not an array');
      }
      pageHeads = answer.body.map((branch: unknown) => headOf(call, endpoint, branch));
      if (answer.digest !== undefined) {
        pages.set(key, { query, digest: answer.digest, value: pageHeads, url: answer.asked });
      }
    }
    for (const head of pageHeads) heads.push(head);
    const next = nextLink(answer.header('link'));
    if (next === undefined) break;
    query = queryString(Object.fromEntries(new URL(next, 'http://link.invalid').searchParams));
  }
  // Pages past the last one read now belong to a longer list than the project has.
  for (let after = page + 1; pages.delete(pageKey(project, after)); after += 1);
  return heads;
}

/** The first page's query: the page size and the patterns' `regex` filter. */
function firstQuery(perPage: number, filter: PatternFilter | undefined): string {
  // What queryString({ perPage }) gives, without its renaming and URLSearchParams on every poll.
  if (!filter?.regex) return `per_page=${perPage}`;
  let query = filter.queries.get(perPage);
  if (query === undefined) {
    query = queryString({ perPage, regex: filter.regex });
    filter.queries.set(perPage, query);
  }
  return query;
}

/**
 * An RE2 expression matching what the patterns match. Branch patterns are RE2 matched whole
 * (core's compileBranchPattern), GitLab's filter is RE2 searched anywhere (`Gitlab::UntrustedRegexp`
 * in `BranchesFinder#by_regex`), so each is grouped and the alternation anchored. `(?i)` and the
 * like inside a group end with it, as they do in the pattern alone.
 */
export function patternsRegex(patterns: readonly string[]): string | undefined {
  if (patterns.length === 0) return undefined;
  return `^(?:${patterns.map((pattern) => `(?:${pattern})`).join('|')})$`;
}

/** An RE2 expression matching exactly these names (RE2 takes `\\` before any punctuation as literal). */
export function exactNamesRegex(names: readonly string[]): string {
  return `^(?:${names.map((name) => name.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|')})$`;
}

/** GitLab answered 400 to a filtered listing: its RE2 refused the expression. */
function isRefusedFilter(error: unknown): boolean {
  return isSentryError(error) && error.details?.status === 400;
}

/**
 * The heads of the matching branches. GitLab's REST API answers no conditional requests on
 * branches (see the README), so the cheap path is fewer requests and smaller answers. The list is
 * asked with GitLab's `regex` filter for exactly the watched patterns (branch patterns are RE2,
 * as GitLab's filter is): one request for most projects, and only the watched branches in the
 * body. A server that ignores the filter (answers with other branches too) is remembered; for it,
 * plain names are read one by one when that takes fewer requests than the last listing did, and
 * every page is listed otherwise. A filter GitLab refuses (400) is not asked again.
 */
export async function listGitlabHeads(
  call: GitlabCall,
  options: ListHeadsOptions,
  settings: { perPage: number; probeLiteralBranches: boolean; book: BranchBook },
): Promise<ListHeadsResult> {
  const { counts, unfiltered, pages: knownPages } = settings.book;
  const key = `${call.address.apiBaseUrl} ${call.address.projectPath}`;
  const filter =
    settings.probeLiteralBranches && options.patterns ? filterOf(settings.book, options.patterns) : null;
  const names = filter?.names ?? null;
  const lastCount = counts.get(key);
  const pages = lastCount === undefined ? undefined : Math.max(1, Math.ceil(lastCount / settings.perPage));

  let heads: BranchHead[] | undefined;
  if (
    filter?.regex &&
    !filter.refused &&
    filter.regex.length <= MAX_FILTER_LENGTH &&
    !unfiltered.has(call.address.apiBaseUrl)
  ) {
    try {
      heads = await listAll(call, settings.perPage, knownPages, key, filter);
      if (heads.some((head) => !options.match(head.branch))) {
        unfiltered.add(call.address.apiBaseUrl);
        counts.set(key, heads.length);
      }
    } catch (error) {
      if (!isRefusedFilter(error)) throw error;
      filter.refused = true;
    }
  }
  if (heads === undefined) {
    if (names && pages !== undefined && names.length < pages) {
      heads = await probe(call, names);
    } else {
      heads = await listAll(call, settings.perPage, knownPages, key);
      counts.set(key, heads.length);
    }
  }
  const rateLimit = call.rateLimit();
  return {
    heads: heads.filter((head) => options.match(head.branch)),
    ...(rateLimit ? { rateLimit } : {}),
  };
}
