import {
  type BranchHead,
  isSentryError,
  type ListHeadsOptions,
  type ListHeadsResult,
} from '@sentry-git/core';
import { literalBranches } from '@sentry-git/core/internal';
import type { GitlabCall } from './client.js';
import { badResponseError } from './errors.js';

/** What listHeads remembers per project between calls: how many branches the last listing found. */
export type BranchCounts = Map<string, number>;

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

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
  const { projectPath } = call.address;
  const heads: BranchHead[] = [];
  for (const name of names) {
    try {
      const branch = await call.branches.show(projectPath, name);
      heads.push(headOf(call, `projects/:id/repository/branches/${name}`, branch));
    } catch (error) {
      if (!isMissingBranch(error)) throw error;
    }
  }
  return heads;
}

async function listAll(call: GitlabCall, perPage: number): Promise<BranchHead[]> {
  const { projectPath } = call.address;
  const endpoint = 'projects/:id/repository/branches';
  // gitbeaker follows the `Link: rel="next"` header to the last page (GitLab leaves out X-Total and
  // rel="last" above 10,000 branches, but always sends rel="next").
  const branches: unknown = await call.branches.all(projectPath, { perPage });
  if (!Array.isArray(branches)) {
    throw badResponseError(call.scope, { method: 'GET', endpoint }, 'the branch list is not an array');
  }
  return branches.map((branch) => headOf(call, endpoint, branch));
}

/**
 * The heads of the matching branches. GitLab's REST API answers no conditional requests on
 * branches (see the README), so the cheap path is fewer requests: when every pattern is a plain
 * name and probing those names takes fewer requests than the last listing did, each is read on
 * its own; otherwise every page is listed.
 */
export async function listGitlabHeads(
  call: GitlabCall,
  options: ListHeadsOptions,
  settings: { perPage: number; probeLiteralBranches: boolean; counts: BranchCounts },
): Promise<ListHeadsResult> {
  const key = `${call.address.apiBaseUrl} ${call.address.projectPath}`;
  const names = settings.probeLiteralBranches ? literalBranches(options.patterns) : null;
  const lastCount = settings.counts.get(key);
  const pages = lastCount === undefined ? undefined : Math.max(1, Math.ceil(lastCount / settings.perPage));

  let heads: BranchHead[];
  if (names && pages !== undefined && names.length < pages) {
    heads = await probe(call, names);
  } else {
    heads = await listAll(call, settings.perPage);
    settings.counts.set(key, heads.length);
  }
  const rateLimit = call.rateLimit();
  return {
    heads: heads.filter((head) => options.match(head.branch)),
    ...(rateLimit ? { rateLimit } : {}),
  };
}
