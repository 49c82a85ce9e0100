import type { BranchHead, ListHeadsOptions, ListHeadsResult } from '@sentry-git/core';
import { literalBranches } from '@sentry-git/core/internal';
import type { Branch, Reference } from 'gitea-js';
import { segment } from './address.js';
import { badResponse } from './errors.js';
import type { ResolvedGiteaOptions } from './options.js';
import { nextPage } from './pagination.js';
import type { Session } from './session.js';

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** Known branches missing from a multi-page listing that are read one by one before being given up. */
const MAX_CONFIRMATIONS = 20;

function headOf(session: Session, action: string, branch: Branch | null | undefined): BranchHead {
  const name = branch?.name;
  const sha = branch?.commit?.id;
  if (typeof name !== 'string' || name === '' || typeof sha !== 'string' || !OBJECT_ID.test(sha)) {
    throw badResponse(session.context(action), 'a branch without a name or commit id');
  }
  return { branch: name, sha };
}

/** One branch by name (`GET /repos/{o}/{r}/branches/{branch}`), or null when it does not exist. */
async function readBranch(session: Session, name: string): Promise<BranchHead | null> {
  const action = `read the branch "${name}" of`;
  const response = await session.call(
    action,
    () => session.get<Branch>(`/repos/${session.owner}/${session.repo}/branches/${segment(name)}`),
    { missingIsNull: true },
  );
  return response ? headOf(session, action, response.data) : null;
}

const HEADS = 'refs/heads/';

/**
 * Every branch in one answer (`GET /repos/{o}/{r}/git/refs/heads`): a ref and a SHA each, less than
 * half the bytes of a branch-list entry (no commit), not paginated, so one request and one
 * consistent view however many branches there are. Null when Gitea answers 404, which it does
 * both for a repository without branches and for one it does not have (or a server without the
 * route): the branch list tells those apart.
 */
async function readHeadRefs(session: Session): Promise<Map<string, string> | null> {
  const action = 'list the branch refs of';
  const kept = session.known.refs;
  const response = await session.call(
    action,
    () =>
      session.get<Reference[] | Reference>(`/repos/${session.owner}/${session.repo}/git/refs/heads`, {
        digest: kept?.digest,
      }),
    { missingIsNull: true },
  );
  if (!response) {
    session.known.refs = undefined;
    return null;
  }
  if (response.unchanged && kept) return kept.value;
  const heads = headRefs(session, action, response.data);
  session.known.refs = response.digest === undefined ? undefined : { digest: response.digest, value: heads };
  return heads;
}

/** The branches and SHAs of a `git/refs/heads` answer. */
function headRefs(session: Session, action: string, data: Reference[] | Reference): Map<string, string> {
  // Older Gitea answered one object, not a list, when the only ref was named exactly by the path.
  const refs = Array.isArray(data) ? data : [data];
  const heads = new Map<string, string>();
  for (const ref of refs) {
    const name = ref?.ref;
    const sha = ref?.object?.sha;
    if (
      typeof name !== 'string' ||
      !name.startsWith(HEADS) ||
      name.length === HEADS.length ||
      typeof sha !== 'string' ||
      !OBJECT_ID.test(sha)
    ) {
      throw badResponse(
        session.context(action),
        'a branch ref without a name under refs/heads/ or an object id',
      );
    }
    heads.set(name.slice(HEADS.length), sha);
  }
  return heads;
}

/** Every branch, page by page to the end. */
async function listBranches(
  session: Session,
  perPage: number,
): Promise<{ heads: Map<string, string>; pages: number }> {
  const heads = new Map<string, string>();
  let page = 1;
  let pages = 0;
  for (;;) {
    pages += 1;
    const action = `list the branches (page ${page}) of`;
    const response = await session.call(action, () =>
      session.get<Branch[]>(`/repos/${session.owner}/${session.repo}/branches?page=${page}&limit=${perPage}`),
    );
    if (!Array.isArray(response.data)) throw badResponse(session.context(action), 'not a list of branches');
    let fresh = 0;
    for (const branch of response.data) {
      const head = headOf(session, action, branch);
      if (!heads.has(head.branch)) fresh += 1;
      heads.set(head.branch, head.sha);
    }
    // A server that ignores `page` repeats itself; nothing new means the end.
    if (response.data.length > 0 && fresh === 0) break;
    const next = nextPage(response.headers, { page, count: response.data.length, seen: heads.size });
    if (next === null) break;
    page = next;
  }
  return { heads, pages };
}

/**
 * The heads of the matching branches. Gitea answers no conditional requests on these endpoints
 * (no ETag), so every poll reads: literal patterns branch by branch when there are few, else
 * every branch ref in one answer, else (no refs: an empty or missing repository, or a server
 * without the route) the branch list page by page.
 */
export async function listHeads(
  session: Session,
  { match, patterns, known }: ListHeadsOptions,
  options: ResolvedGiteaOptions,
): Promise<ListHeadsResult> {
  const result = (heads: Map<string, string>): ListHeadsResult => {
    const rateLimit = session.rateLimit();
    const matching: BranchHead[] = [];
    for (const [branch, sha] of heads) if (match(branch)) matching.push({ branch, sha });
    return { heads: matching, ...(rateLimit ? { rateLimit } : {}) };
  };

  const literals = literalBranches(patterns);
  if (literals && literals.length <= options.maxProbes) {
    const found = (await Promise.all(literals.map((name) => readBranch(session, name)))).filter(
      (head): head is BranchHead => head !== null,
    );
    // None there: the listing below tells a missing repository from missing branches.
    if (found.length > 0) return result(new Map(found.map((head) => [head.branch, head.sha])));
  }

  const refs = await readHeadRefs(session);
  if (refs) return result(refs);

  const { heads, pages } = await listBranches(session, options.perPage);
  if (pages > 1 && known) {
    // Gitea orders branches by commit time, newest first: a branch pushed while later pages were
    // read moves to page 1 and a deletion shifts the rest up, so a known branch can slip between
    // pages. Read those one by one rather than report a deletion that did not happen.
    const missing = [...known.keys()].filter((branch) => match(branch) && !heads.has(branch));
    if (missing.length <= MAX_CONFIRMATIONS) {
      for (const head of await Promise.all(missing.map((name) => readBranch(session, name)))) {
        if (head) heads.set(head.branch, head.sha);
      }
    }
  }
  return result(heads);
}
