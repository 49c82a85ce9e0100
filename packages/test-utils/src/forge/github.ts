import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type CommitData, commitData, compare, listBranches, resolveRef } from './git-data.js';
import { type ForgeReadCache, readThrough } from './read-cache.js';
import {
  type FakeServer,
  type Route,
  type RouteContext,
  type RouteResponse,
  startFakeServer,
} from './server.js';

/**
 * A loopback GitHub REST API backed by real bare repositories: the endpoints the GitHub provider
 * calls, with GitHub's status codes, headers (ETag, Link, x-ratelimit-*), error bodies and
 * quota accounting (a 304 to an authorized conditional request is free, as on github.com).
 */
export interface GitHubServerOptions {
  /** `owner/name` → path of a bare repository. */
  repos: Record<string, string>;
  /** The token that authenticates (`Authorization: token X` or `Bearer X`); any other is refused with 401. Without it every request is anonymous and allowed. */
  token?: string;
  /** The starting quota. @default { limit: 5000, remaining: limit, resetAt: now + 1 h } */
  rateLimit?: { limit?: number; remaining?: number; resetAt?: Date | number };
  /** Page size when the request gives no `per_page` (GitHub: 30). @default 30 */
  perPage?: number;
  /** Status of the answer once the quota is spent (GitHub sends 403, sometimes 429). @default 403 */
  rateLimitStatus?: 403 | 429;
  /** Memoize branch lists (load tests); the caller invalidates after it moves a ref. @default none */
  readCache?: ForgeReadCache;
}

/** A commit status as the server stored it. */
export interface GitHubStatusRecord {
  repo: string;
  sha: string;
  state: string;
  target_url: string | null;
  description: string | null;
  context: string;
  created_at: string;
}

export interface GitHubServer extends FakeServer {
  /** Statuses posted, oldest first (for one SHA when given). */
  statuses(sha?: string): GitHubStatusRecord[];
  /** The quota now, as the next answer's headers would give it. */
  quota(): { limit: number; remaining: number; used: number; resetAt: number };
  /** Requests that cost quota since the server started (across reset windows). */
  spent(): number;
  /** Replace the quota (e.g. spend it all to provoke a 403). `resetAt` in epoch seconds or a Date. */
  setRateLimit(rateLimit: { limit?: number; remaining?: number; resetAt?: Date | number }): void;
  /** Serve another repository. */
  addRepo(fullName: string, bare: string): void;
  /** GitHub's numeric id of a served repository (used in Link URLs, as GitHub does). */
  repoId(fullName: string): number;
}

const DOCS = 'https://docs.github.com/rest';
const SHA_MEDIA_TYPE = 'application/vnd.github.sha';
const MAX_COMPARE_FILES = 300;
const FULL_SHA = /^[0-9a-f]{40}$/;

interface Repo {
  id: number;
  fullName: string;
  owner: string;
  name: string;
  bare: string;
}

function toEpochSeconds(value: Date | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return value instanceof Date ? Math.floor(value.getTime() / 1000) : Math.floor(value);
}

function etagOf(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}

/** If-None-Match holds one of the ETags (weak comparison, as GitHub does), or `*`. */
function matchesEtag(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

function pageParams(
  query: URLSearchParams,
  fallback: number,
  max: number,
): { perPage: number; page: number } {
  const perPage = Math.min(max, Math.max(1, Number(query.get('per_page')) || fallback));
  const page = Math.max(1, Number(query.get('page')) || 1);
  return { perPage, page };
}

/** GitHub's Link header: next/last on every page but the last, first/prev after the first. */
function linkHeader(base: string, perPage: number, page: number, total: number): string | undefined {
  const last = Math.max(1, Math.ceil(total / perPage));
  const url = (n: number) => `<${base}?per_page=${perPage}&page=${n}>`;
  const parts: string[] = [];
  if (page > 1) parts.push(`${url(page - 1)}; rel="prev"`);
  if (page < last) parts.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) parts.push(`${url(1)}; rel="first"`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function error(status: number, message: string, extra: Record<string, unknown> = {}): RouteResponse {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

function commitJson(base: string, repo: Repo, commit: CommitData) {
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 16)}`,
    url: `${base}/repos/${repo.fullName}/commits/${commit.sha}`,
    html_url: `${base}/${repo.fullName}/commit/${commit.sha}`,
    comments_url: `${base}/repos/${repo.fullName}/commits/${commit.sha}/comments`,
    commit: {
      url: `${base}/repos/${repo.fullName}/git/commits/${commit.sha}`,
      author: { name: commit.authorName, email: commit.authorEmail, date: commit.authoredAt },
      committer: { name: commit.committerName, email: commit.committerEmail, date: commit.committedAt },
      message: commit.message,
      tree: { sha: commit.tree, url: `${base}/repos/${repo.fullName}/git/trees/${commit.tree}` },
      comment_count: 0,
    },
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${base}/repos/${repo.fullName}/commits/${sha}` })),
  };
}

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
  const repos = new Map<string, Repo>();
  const branchesOf = readThrough(options.readCache, 'branches', listBranches);
  let nextId = 1000;
  const defaultPerPage = options.perPage ?? 30;
  const statuses: GitHubStatusRecord[] = [];
  let requestCounter = 0;
  let totalSpent = 0;
  const now = () => Math.floor(Date.now() / 1000);
  const quota = { limit: 5000, remaining: 5000, used: 0, resetAt: now() + 3600 };
  setRateLimit(options.rateLimit ?? {});

  function setRateLimit(rateLimit: { limit?: number; remaining?: number; resetAt?: Date | number }): void {
    quota.limit = rateLimit.limit ?? quota.limit;
    quota.remaining = rateLimit.remaining ?? quota.limit;
    quota.used = quota.limit - quota.remaining;
    quota.resetAt = toEpochSeconds(rateLimit.resetAt, now() + 3600);
  }

  function addRepo(fullName: string, bare: string): void {
    const [owner = '', name = ''] = fullName.split('/');
    repos.set(fullName.toLowerCase(), { id: nextId++, fullName, owner, name, bare });
  }
  for (const [fullName, bare] of Object.entries(options.repos)) addRepo(fullName, bare);

  function findRepo(params: Record<string, string>): Repo | undefined {
    if (params.id !== undefined) return [...repos.values()].find((repo) => String(repo.id) === params.id);
    return repos.get(`${params.owner}/${params.repo}`.toLowerCase());
  }

  /** undefined = anonymous, true = the right token, false = a wrong one. */
  function credentials(req: IncomingMessage): boolean | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const found = /^(?:token|bearer)\s+(.+)$/i.exec(header.trim());
    if (!found) return false;
    return options.token === undefined || found[1] === options.token;
  }

  function quotaHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(quota.limit),
      'x-ratelimit-remaining': String(quota.remaining),
      'x-ratelimit-used': String(quota.used),
      'x-ratelimit-reset': String(quota.resetAt),
      'x-ratelimit-resource': 'core',
    };
  }

  type Handler = (context: RouteContext, repo: Repo) => Promise<RouteResponse> | RouteResponse;

  /**
   * What every GitHub answer goes through: credentials, the quota window, the rate limit, the
   * repository lookup, then the handler; quota is spent on everything but an authorized 304.
   */
  function route(name: string, method: string, pattern: RegExp, handler: Handler, write = false): Route {
    return {
      name,
      method,
      pattern,
      async handle(context) {
        requestCounter += 1;
        const common: Record<string, string> = {
          'x-github-media-type': 'github.v3; format=json',
          'x-github-request-id': `FAKE:${requestCounter}`,
          vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
        };
        const auth = credentials(context.req);
        if (auth === false) {
          return { ...error(401, 'Bad credentials'), headers: { ...common, ...quotaHeaders() } };
        }
        if (now() >= quota.resetAt) setRateLimit({ limit: quota.limit });
        if (quota.remaining <= 0) {
          const status = options.rateLimitStatus ?? 403;
          return {
            ...error(
              status,
              'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID FAKE.',
              { documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` },
            ),
            headers: { ...common, ...quotaHeaders() },
          };
        }
        const repo = findRepo(context.params);
        let response: RouteResponse;
        if (!repo || (auth === undefined && options.token !== undefined)) {
          // GitHub hides private repositories from anonymous callers behind a 404.
          response =
            write && auth === undefined && repo
              ? error(401, 'Requires authentication')
              : error(404, 'Not Found');
        } else {
          response = await handler(context, repo);
        }
        if (!(response.status === 304 && auth === true)) {
          quota.remaining -= 1;
          quota.used += 1;
          totalSpent += 1;
        }
        return { ...response, headers: { ...common, ...response.headers, ...quotaHeaders() } };
      },
    };
  }

  /** A JSON answer with a (weak) ETag, or 304 when the request already holds it. */
  function cacheable(
    context: RouteContext,
    body: unknown,
    headers: Record<string, string> = {},
  ): RouteResponse {
    const text = JSON.stringify(body);
    const etag = etagOf(text);
    const cache = { etag, 'cache-control': 'private, max-age=60, s-maxage=60' };
    // A 304 carries the validators, not the Link header: the strictest reading of RFC 9110.
    if (matchesEtag(context.req, etag)) return { status: 304, headers: cache };
    return { status: 200, headers: { ...headers, ...cache }, body: text };
  }

  async function branches(context: RouteContext, repo: Repo): Promise<RouteResponse> {
    const all = await branchesOf(repo.bare);
    const { perPage, page } = pageParams(context.query, defaultPerPage, 100);
    const body = all.slice((page - 1) * perPage, page * perPage).map((branch) => ({
      name: branch.name,
      commit: { sha: branch.sha, url: `${context.baseUrl}/repos/${repo.fullName}/commits/${branch.sha}` },
      protected: false,
    }));
    // GitHub's Link URLs address the repository by id.
    const link = linkHeader(`${context.baseUrl}/repositories/${repo.id}/branches`, perPage, page, all.length);
    return cacheable(context, body, link ? { link } : {});
  }

  /**
   * A commit named by its full SHA is immutable: with a read cache its data is memoized for good
   * (a missing one is not, as a push may bring it).
   */
  async function commitBySha(bare: string, sha: string): Promise<CommitData | null> {
    if (!options.readCache) return commitData(bare, sha);
    return options.readCache
      .memoImmutable(bare, `commit ${sha}`, async () => {
        const data = await commitData(bare, sha);
        if (!data) throw new Error('no such commit');
        return data;
      })
      .catch(() => null);
  }

  async function commit(context: RouteContext, repo: Repo): Promise<RouteResponse> {
    const ref = context.params.ref!;
    const known = FULL_SHA.test(ref) ? await commitBySha(repo.bare, ref) : null;
    let sha: string | null;
    if (known) {
      sha = known.sha;
    } else if (ref.startsWith('heads/')) {
      const name = ref.slice('heads/'.length);
      sha = (await branchesOf(repo.bare)).find((branch) => branch.name === name)?.sha ?? null;
    } else {
      sha = await resolveRef(repo.bare, ref);
    }
    if (!sha) {
      return error(422, `No commit found for SHA: ${ref}`, {
        documentation_url: `${DOCS}/commits/commits#get-a-commit`,
      });
    }
    if ((context.req.headers.accept ?? '').includes(SHA_MEDIA_TYPE)) {
      // The ETag of the SHA media type is the quoted SHA, so a client can send its last SHA.
      const etag = `"${sha}"`;
      const headers = { etag, 'x-github-media-type': 'github.v3; param=sha' };
      if (matchesEtag(context.req, etag)) return { status: 304, headers };
      return {
        status: 200,
        headers: { ...headers, 'content-type': 'application/vnd.github.sha; charset=utf-8' },
        body: sha,
      };
    }
    const data = known ?? (await commitData(repo.bare, sha));
    return cacheable(context, { ...commitJson(context.baseUrl, repo, data!), files: [] });
  }

  async function compareData(bare: string, base: string, head: string) {
    const result = await compare(bare, base, head);
    if (!result) return null;
    const [baseData, mergeBaseData] = await Promise.all([
      commitData(bare, base),
      result.mergeBase ? commitData(bare, result.mergeBase) : null,
    ]);
    return { result, baseData, mergeBaseData };
  }

  async function compareRoute(context: RouteContext, repo: Repo): Promise<RouteResponse> {
    const [base, head] = context.params.basehead!.split('...');
    if (!base || !head) return error(404, 'Not Found');
    const read = () => compareData(repo.bare, base, head);
    // Two SHAs name immutable objects: their comparison can be memoized for good.
    const data =
      options.readCache && FULL_SHA.test(base) && FULL_SHA.test(head)
        ? await options.readCache.memoImmutable(repo.bare, `compare ${base}...${head}`, read)
        : await read();
    if (!data) return error(404, 'Not Found');
    const { result, baseData, mergeBaseData } = data;
    const { perPage, page } = pageParams(context.query, 250, 250);
    const status =
      result.aheadBy > 0 && result.behindBy > 0
        ? 'diverged'
        : result.aheadBy > 0
          ? 'ahead'
          : result.behindBy > 0
            ? 'behind'
            : 'identical';
    const files = result.files.slice(0, MAX_COMPARE_FILES).map((file) => ({
      sha: null,
      filename: file.filename,
      status: file.status,
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: `${context.baseUrl}/${repo.fullName}/blob/${head}/${file.filename}`,
      raw_url: `${context.baseUrl}/${repo.fullName}/raw/${head}/${file.filename}`,
      contents_url: `${context.baseUrl}/repos/${repo.fullName}/contents/${file.filename}?ref=${head}`,
      ...(file.previousFilename ? { previous_filename: file.previousFilename } : {}),
    }));
    const body = {
      url: `${context.baseUrl}/repos/${repo.fullName}/compare/${base}...${head}`,
      html_url: `${context.baseUrl}/${repo.fullName}/compare/${base}...${head}`,
      permalink_url: `${context.baseUrl}/${repo.fullName}/compare/${repo.owner}:${base}...${repo.owner}:${head}`,
      diff_url: `${context.baseUrl}/${repo.fullName}/compare/${base}...${head}.diff`,
      patch_url: `${context.baseUrl}/${repo.fullName}/compare/${base}...${head}.patch`,
      base_commit: baseData ? commitJson(context.baseUrl, repo, baseData) : null,
      merge_base_commit: mergeBaseData ? commitJson(context.baseUrl, repo, mergeBaseData) : null,
      status,
      ahead_by: result.aheadBy,
      behind_by: result.behindBy,
      total_commits: result.commits.length,
      commits: result.commits
        .slice((page - 1) * perPage, page * perPage)
        .map((data) => commitJson(context.baseUrl, repo, data)),
      // GitHub lists the files on the first page only.
      ...(page === 1 ? { files } : {}),
    };
    const link = linkHeader(
      `${context.baseUrl}/repositories/${repo.id}/compare/${base}...${head}`,
      perPage,
      page,
      result.commits.length,
    );
    return cacheable(context, body, link ? { link } : {});
  }

  async function postStatus(context: RouteContext, repo: Repo): Promise<RouteResponse> {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(context.body) as Record<string, unknown>;
    } catch {
      return error(400, 'Problems parsing JSON');
    }
    const state = input.state;
    if (typeof state !== 'string' || !['error', 'failure', 'pending', 'success'].includes(state)) {
      return error(422, 'Validation Failed', {
        errors: [
          {
            resource: 'Status',
            code: 'custom',
            field: 'state',
            message: 'state is not included in the list',
          },
        ],
      });
    }
    const sha = await resolveRef(repo.bare, context.params.sha!);
    if (!sha) return error(422, `No commit found for SHA: ${context.params.sha}`);
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    const record: GitHubStatusRecord = {
      repo: repo.fullName,
      sha,
      state,
      target_url: text(input.target_url),
      description: text(input.description),
      context: text(input.context) ?? 'default',
      created_at: new Date().toISOString(),
    };
    statuses.push(record);
    const url = `${context.baseUrl}/repos/${repo.fullName}/statuses/${sha}`;
    return {
      status: 201,
      headers: { location: url },
      body: {
        url,
        avatar_url: null,
        id: statuses.length,
        node_id: `SC_${statuses.length}`,
        state: record.state,
        description: record.description,
        target_url: record.target_url,
        context: record.context,
        created_at: record.created_at,
        updated_at: record.created_at,
        creator: null,
      },
    };
  }

  const REPO = '/repos/(?<owner>[^/]+)/(?<repo>[^/]+)';
  const BY_ID = '/repositories/(?<id>\\d+)';
  const server = await startFakeServer([
    route('github:repo', 'GET', new RegExp(`^${REPO}$`), (context, repo) =>
      cacheable(context, {
        id: repo.id,
        name: repo.name,
        full_name: repo.fullName,
        owner: { login: repo.owner },
        private: options.token !== undefined,
        html_url: `${context.baseUrl}/${repo.fullName}`,
        clone_url: `${context.baseUrl}/${repo.fullName}.git`,
        default_branch: 'main',
      }),
    ),
    route('github:branches', 'GET', new RegExp(`^${REPO}/branches$`), branches),
    route('github:branches', 'GET', new RegExp(`^${BY_ID}/branches$`), branches),
    route('github:commit', 'GET', new RegExp(`^${REPO}/commits/(?<ref>.+)$`), commit),
    route('github:compare', 'GET', new RegExp(`^${REPO}/compare/(?<basehead>.+)$`), compareRoute),
    route('github:compare', 'GET', new RegExp(`^${BY_ID}/compare/(?<basehead>.+)$`), compareRoute),
    route('github:status', 'POST', new RegExp(`^${REPO}/statuses/(?<sha>[^/]+)$`), postStatus, true),
  ]);

  return {
    ...server,
    statuses: (sha) => statuses.filter((record) => sha === undefined || record.sha === sha),
    quota: () => ({ ...quota }),
    spent: () => totalSpent,
    setRateLimit,
    addRepo,
    repoId(fullName) {
      const repo = repos.get(fullName.toLowerCase());
      if (!repo) throw new Error(`not served: ${fullName}`);
      return repo.id;
    },
  };
}
