import type { BranchHead, ListHeadsResult } from '@sentry-git/core';
import { type Answer, ask, badResponse, type Session } from './call.js';
import { directProbe } from './direct.js';
import { directPage } from './direct-page.js';
import { repoUrl } from './direct-route.js';
import type { ResponseHeaders } from './errors.js';
import { linkTo } from './link.js';

// SHA-1 (40) and SHA-256 (64) object names.
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const SHA_MEDIA_TYPE = 'application/vnd.github.sha';
// A bound on Link-following, should a server ever hand back a loop.
const MAX_PAGES = 10_000;

/** One page of the branch list as last answered, replayed when GitHub says 304. */
export interface CachedPage {
  etag: string;
  /** The absolute URL that answered. */
  url: string;
  heads: BranchHead[];
  next: string | undefined;
}

/** Pages per repository (API root + owner/repo), then per page (`first` or its Link URL). */
export type PageCache = Map<string, Map<string, CachedPage>>;

function etagOf(headers: ResponseHeaders): string | undefined {
  const value = headers.etag;
  return value === undefined ? undefined : String(value);
}

/**
 * The page after a full page that named no next one. A 304 need not repeat the Link header and an
 * ETag may cover the body alone, so a full last page can stay "not modified" after branches were
 * added behind it: the page behind it is asked too (an empty page, itself free once cached).
 */
function pageAfter(url: string): string | undefined {
  if (!url) return undefined;
  const next = new URL(url);
  next.searchParams.set('page', String((Number(next.searchParams.get('page')) || 1) + 1));
  return next.href;
}

function shaText(data: unknown): string {
  if (typeof data === 'string') return data.trim();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8').trim();
  return '';
}

type Probe = { kind: 'unchanged' | 'found'; head: BranchHead } | { kind: 'absent' | 'not-found' };

/**
 * One branch through `GET /repos/{o}/{r}/commits/heads/{branch}` with the SHA media type. With a
 * known SHA it is a conditional request (`If-None-Match: "<sha>"`, the ETag GitHub gives that
 * answer), and a 304 costs no quota. 422 ("No commit found") means the branch does not exist;
 * 404 means the branch or the whole repository is missing, which the caller sorts out.
 */
async function probe(session: Session, branch: string, known: string | undefined): Promise<Probe> {
  const direct = session.direct ? await directProbe(session, session.direct, branch, known) : null;
  if (direct) return direct;
  const headers: Record<string, string> = { accept: SHA_MEDIA_TYPE };
  if (known) headers['if-none-match'] = `"${known}"`;
  const answer = await ask(
    session,
    `read the head of branch "${branch}"`,
    'GET /repos/{owner}/{repo}/commits/{ref}',
    // `heads/NAME` is the documented spelling of a branch for this ref, so a tag or a SHA of the
    // same name is never mistaken for the branch.
    { owner: session.owner, repo: session.repo, ref: `heads/${branch}`, headers },
    [404, 422],
  );
  if (answer.notModified && known) return { kind: 'unchanged', head: { branch, sha: known } };
  if (answer.status === 422) return { kind: 'absent' };
  if (answer.status === 404) return { kind: 'not-found' };
  const sha = shaText(answer.data);
  if (!OBJECT_ID.test(sha)) {
    throw badResponse(
      session,
      `read the head of branch "${branch}"`,
      `not a commit SHA: ${sha.slice(0, 80)}`,
    );
  }
  return { kind: 'found', head: { branch, sha } };
}

/** A 404 on a branch probe: the branch is gone, unless the repository itself is (then it throws). */
async function assertRepository(session: Session): Promise<void> {
  await ask(session, 'read the repository', 'GET /repos/{owner}/{repo}', {
    owner: session.owner,
    repo: session.repo,
  });
}

/** Heads of literal branch names, one (usually free) conditional request each. */
export async function probeBranches(
  session: Session,
  branches: readonly string[],
  known: ReadonlyMap<string, string> | undefined,
): Promise<ListHeadsResult> {
  const probes = await Promise.all(branches.map((branch) => probe(session, branch, known?.get(branch))));
  if (probes.some((result) => result.kind === 'not-found')) await assertRepository(session);
  const heads = probes.flatMap((result) => ('head' in result ? [result.head] : []));
  const notModified = probes.length > 0 && probes.every((result) => result.kind === 'unchanged');
  return { heads, ...(notModified ? { notModified } : {}) };
}

function parseBranchPage(session: Session, data: unknown): BranchHead[] {
  if (!Array.isArray(data))
    throw badResponse(session, 'list the branches', 'the branch list is not an array');
  return data.map((item: unknown) => {
    const name = (item as { name?: unknown })?.name;
    const sha = (item as { commit?: { sha?: unknown } })?.commit?.sha;
    if (typeof name !== 'string' || typeof sha !== 'string' || !OBJECT_ID.test(sha)) {
      throw badResponse(session, 'list the branches', `a branch entry without name and commit SHA`);
    }
    return { branch: name, sha };
  });
}

/** The first page (`first`) or a Link URL, straight through the pooled fetch when it can (direct-page.ts). */
async function askPage(
  session: Session,
  pageKey: string,
  etag: string | undefined,
  perPage: number,
): Promise<Answer> {
  const { direct } = session;
  if (direct) {
    const url = pageKey === 'first' ? `${repoUrl(direct, session)}/branches?per_page=${perPage}` : pageKey;
    const answer = await directPage(session, direct, url, etag);
    if (answer) return answer;
  }
  const headers: Record<string, string> = etag ? { 'if-none-match': etag } : {};
  // After a direct attempt that failed (5xx, network), octokit's retries are what is left of them.
  const request = direct ? { retries: Math.max(0, session.failure.retries - 1) } : undefined;
  return pageKey === 'first'
    ? ask(session, 'list the branches', 'GET /repos/{owner}/{repo}/branches', {
        owner: session.owner,
        repo: session.repo,
        per_page: perPage,
        headers,
        request,
      })
    : ask(session, 'list the branches', `GET ${pageKey}`, { headers, request });
}

/**
 * Every branch through `GET /repos/{o}/{r}/branches`, following Link to the last page. Each page
 * is sent with the ETag it had last time; a 304 (no quota) replays the stored page. The cache is
 * rebuilt from the pages visited, so it never outgrows the list.
 */
export async function listAllBranches(
  session: Session,
  cache: PageCache,
  cacheKey: string,
  perPage: number,
): Promise<ListHeadsResult> {
  const previous = cache.get(cacheKey) ?? new Map<string, CachedPage>();
  const visited = new Map<string, CachedPage>();
  const byName = new Map<string, string>();
  let pageKey: string | undefined = 'first';
  let allNotModified = true;

  while (pageKey !== undefined && visited.size < MAX_PAGES && !visited.has(pageKey)) {
    const cached = previous.get(pageKey);
    const answer = await askPage(session, pageKey, cached?.etag, perPage);
    let page: CachedPage;
    if (answer.notModified && cached) {
      // A 304 need not repeat the Link header (RFC 9110 lists what it must carry); use it if it does.
      page = { ...cached, next: linkTo(answer.headers, 'next') ?? cached.next };
    } else {
      allNotModified = false;
      const etag = etagOf(answer.headers);
      page = {
        etag: etag ?? '',
        url: answer.url,
        heads: parseBranchPage(session, answer.data),
        next: linkTo(answer.headers, 'next'),
      };
    }
    visited.set(pageKey, page);
    // The list can shift while it is read page by page; a name seen twice keeps its latest SHA.
    for (const head of page.heads) byName.set(head.branch, head.sha);
    pageKey = page.next ?? (page.heads.length >= perPage ? pageAfter(page.url) : undefined);
  }
  // Pages without an ETag cannot be asked conditionally; keep only the ones that can.
  cache.set(cacheKey, new Map([...visited].filter(([, page]) => page.etag !== '')));
  const heads = [...byName].map(([branch, sha]) => ({ branch, sha }));
  return { heads, ...(allNotModified && visited.size > 0 ? { notModified: true } : {}) };
}
