import { commitData, compare, resolveRef } from './git-data.js';
import {
  branchJson,
  commitFiles,
  commitJson,
  type GiteaCommitStatusJson,
  type GiteaCompareJson,
  type GiteaRepoUrls,
  readBranches,
  readRefs,
  referenceJson,
  userJson,
} from './gitea-json.js';
import { type ForgeReadCache, readThrough } from './read-cache.js';
import {
  type FakeServer,
  type Route,
  type RouteContext,
  type RouteResponse,
  startFakeServer,
} from './server.js';

export type * from './gitea-json.js';

/**
 * A request quota as a reverse proxy in front of Gitea enforces it (Gitea itself has none):
 * every request costs one, `X-RateLimit-*` headers on every answer, and `429` with
 * `Retry-After` once nothing is left, until `resetAt`.
 */
export interface GiteaRateLimit {
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface GiteaServerOptions {
  /** `"owner/name"` → path of a bare repository. More can be added with `addRepo()`. */
  repos?: Record<string, string>;
  /**
   * The one valid access token. When set, the repositories are private: a wrong token gets 401,
   * no token gets 404 on reads (Gitea hides private repositories) and 401 on writes.
   */
  token?: string;
  rateLimit?: GiteaRateLimit;
  /** Page size when a request gives no `limit` (Gitea's `[api] DEFAULT_PAGING_NUM`). @default 30 */
  perPage?: number;
  /** Largest page size honoured; larger `limit`s are cut to it (`[api] MAX_RESPONSE_ITEMS`). @default 50 */
  maxPerPage?: number;
  /** Runs before a page of branches is read: lets a test change the repository mid-listing. */
  onBranchesPage?: (info: { repo: string; page: number }) => void | Promise<void>;
  /** Memoize branch lists (load tests); the caller invalidates after it moves a ref. @default none */
  readCache?: ForgeReadCache;
  /**
   * Serve `GET /repos/{owner}/{repo}/git/refs[/{prefix}]` (Gitea's `GetGitRefs`). `false` answers
   * it 404, as a server without the route or a proxy that blocks it does.
   * @default true
   */
  gitRefs?: boolean;
}

/** A commit status the server received. */
export interface ReceivedGiteaStatus {
  repo: string;
  sha: string;
  state: string;
  targetUrl: string;
  description: string;
  context: string;
}

export interface GiteaServer extends FakeServer {
  /** `<url>/api/v1`: the API root, as `monitor.api_base_url` names it. */
  apiUrl: string;
  addRepo(fullName: string, bare: string): void;
  /** Commit statuses received, in order. */
  statuses: ReceivedGiteaStatus[];
  /** The proxy's quota now; undefined without `rateLimit`. */
  quota(): GiteaRateLimit | undefined;
  setRateLimit(rateLimit: GiteaRateLimit | undefined): void;
}

const REPO = '^/api/v1/repos/(?<owner>[^/]+)/(?<repo>[^/]+)';
const STATES = new Set(['pending', 'success', 'error', 'failure', 'warning']);

/**
 * A loopback Gitea (API v1) backed by real bare repositories: the branch list (paginated with
 * `page`/`limit`, `Link` and `X-Total-Count`, ordered like Gitea), one branch, compare and
 * commit statuses, with Gitea's status codes, error bodies and token auth.
 */
export async function startGiteaServer(options: GiteaServerOptions = {}): Promise<GiteaServer> {
  const repos = new Map<string, { fullName: string; bare: string }>();
  const branchesOf = readThrough(options.readCache, 'gitea-branches', readBranches);
  const refsOf = readThrough(options.readCache, 'gitea-refs', readRefs);
  const statuses: ReceivedGiteaStatus[] = [];
  const perPage = options.perPage ?? 30;
  const maxPerPage = options.maxPerPage ?? 50;
  let quota = options.rateLimit ? { ...options.rateLimit } : undefined;
  let statusId = 0;

  function addRepo(fullName: string, bare: string): void {
    repos.set(fullName.toLowerCase(), { fullName, bare });
  }
  for (const [name, bare] of Object.entries(options.repos ?? {})) addRepo(name, bare);

  function apiError(status: number, message: string, baseUrl: string, extra: object = {}): RouteResponse {
    return { status, body: { message, url: `${baseUrl}/api/swagger`, ...extra } };
  }

  function notFound(baseUrl: string): RouteResponse {
    return apiError(404, "The target couldn't be found.", baseUrl, { errors: [] });
  }

  function quotaHeaders(): Record<string, string> {
    if (!quota) return {};
    return {
      'x-ratelimit-limit': String(quota.limit),
      'x-ratelimit-remaining': String(quota.remaining),
      'x-ratelimit-reset': String(Math.ceil(quota.resetAt.getTime() / 1000)),
    };
  }

  /** The reverse proxy: it counts every request, and refuses once the quota is spent. */
  function throttle(): RouteResponse | null {
    if (!quota) return null;
    const now = Date.now();
    if (now >= quota.resetAt.getTime()) {
      quota.remaining = quota.limit;
      quota.resetAt = new Date(now + 3_600_000);
    }
    if (quota.remaining <= 0) {
      const retryAfter = Math.max(1, Math.ceil((quota.resetAt.getTime() - now) / 1000));
      return {
        status: 429,
        headers: { ...quotaHeaders(), 'retry-after': String(retryAfter), 'content-type': 'text/plain' },
        body: '429 Too Many Requests',
      };
    }
    quota.remaining -= 1;
    return null;
  }

  function authorize(context: RouteContext): RouteResponse | null {
    if (!options.token) return null;
    const header = context.req.headers.authorization;
    if (header !== undefined) {
      const match = /^(?:token|bearer)\s+(.+)$/i.exec(header.trim());
      if (match?.[1] !== options.token) {
        return apiError(401, 'invalid username, password or token', context.baseUrl);
      }
      return null;
    }
    if (context.req.method !== 'GET') return apiError(401, 'token is required', context.baseUrl);
    return notFound(context.baseUrl);
  }

  function repoOf(context: RouteContext): { fullName: string; bare: string; urls: GiteaRepoUrls } | null {
    const found = repos.get(`${context.params.owner}/${context.params.repo}`.toLowerCase());
    if (!found) return null;
    return {
      ...found,
      urls: {
        api: `${context.baseUrl}/api/v1/repos/${found.fullName}`,
        html: `${context.baseUrl}/${found.fullName}`,
      },
    };
  }

  /** Gitea's `genAPILinks`: next, last, first, prev, on the request's own URL with `page` replaced. */
  function linkHeader(context: RouteContext, total: number, pageSize: number, page: number): string {
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const url = (target: number) => {
      const query = new URLSearchParams(context.query);
      query.set('page', String(target));
      query.sort();
      return `${context.baseUrl}${new URL(context.req.url ?? '/', context.baseUrl).pathname}?${query}`;
    };
    const links: string[] = [];
    if (page < pages) links.push(`<${url(page + 1)}>; rel="next"`);
    if (page !== pages) links.push(`<${url(pages)}>; rel="last"`);
    if (page !== 1) links.push(`<${url(1)}>; rel="first"`);
    if (page > 1) links.push(`<${url(page - 1)}>; rel="prev"`);
    return links.join(',');
  }

  const handlers: Route[] = [
    {
      name: 'repoListBranches',
      method: 'GET',
      pattern: new RegExp(`${REPO}/branches$`),
      async handle(context) {
        const repo = repoOf(context);
        if (!repo) return notFound(context.baseUrl);
        const page = Math.max(1, Number.parseInt(context.query.get('page') ?? '', 10) || 1);
        const asked = Number.parseInt(context.query.get('limit') ?? '', 10) || 0;
        const limit = asked <= 0 ? perPage : Math.min(asked, maxPerPage);
        await options.onBranchesPage?.({ repo: repo.fullName, page });
        const branches = await branchesOf(repo.bare);
        const slice = branches.slice((page - 1) * limit, page * limit);
        const headers: Record<string, string> = {
          'x-total-count': String(branches.length),
          'access-control-expose-headers': 'Link, X-Total-Count',
        };
        const link = linkHeader(context, branches.length, limit, page);
        if (link) headers.link = link;
        return { status: 200, headers, body: slice.map((branch) => branchJson(branch, repo.urls)) };
      },
    },
    {
      // Gitea's getGitRefsInternal: the refs whose name starts with `refs/<prefix>` as a list,
      // 404 when none does (the same answer as for a repository it does not have). Older Gitea
      // answered one object instead of a list when the only ref was named exactly by the path.
      name: 'repoListGitRefs',
      method: 'GET',
      pattern: new RegExp(`${REPO}/git/refs(?:/(?<prefix>.*))?$`),
      async handle(context) {
        const repo = repoOf(context);
        if (!repo || options.gitRefs === false) return notFound(context.baseUrl);
        const prefix = context.params.prefix ? `refs/${context.params.prefix}` : '';
        const refs = (await refsOf(repo.bare)).filter((ref) => ref.name.startsWith(prefix));
        if (refs.length === 0) return notFound(context.baseUrl);
        return { status: 200, body: refs.map((ref) => referenceJson(ref, repo.urls)) };
      },
    },
    {
      name: 'repoGetBranch',
      method: 'GET',
      pattern: new RegExp(`${REPO}/branches/(?<branch>.+)$`),
      async handle(context) {
        const repo = repoOf(context);
        if (!repo) return notFound(context.baseUrl);
        const branch = (await branchesOf(repo.bare)).find((b) => b.name === context.params.branch);
        if (!branch) return notFound(context.baseUrl);
        return { status: 200, body: branchJson(branch, repo.urls) };
      },
    },
    {
      name: 'repoCompareDiff',
      method: 'GET',
      pattern: new RegExp(`${REPO}/compare/(?<basehead>.+)$`),
      async handle(context) {
        const repo = repoOf(context);
        if (!repo) return notFound(context.baseUrl);
        const basehead = context.params.basehead ?? '';
        const parts = basehead.includes('...') ? basehead.split('...', 2) : basehead.split('..', 2);
        const [base, head] = parts.length === 2 ? parts : ['main', basehead];
        const [baseSha, headSha] = await Promise.all([
          resolveRef(repo.bare, base!),
          resolveRef(repo.bare, head!),
        ]);
        if (!baseSha || !headSha) return notFound(context.baseUrl);
        const comparison = await compare(repo.bare, baseSha, headSha);
        if (!comparison) return notFound(context.baseUrl);
        const withFiles = context.query.get('files') !== 'false';
        const files = await commitFiles(repo.bare, `${baseSha}..${headSha}`);
        // Gitea lists the commits as `git log` does: newest first.
        const commits = [...comparison.commits].reverse().map((commit) => {
          const json = commitJson(
            commit,
            files.get(commit.sha) ?? { files: [], additions: 0, deletions: 0 },
            repo.urls,
          );
          return withFiles ? json : { ...json, files: null };
        });
        const body: GiteaCompareJson = { total_commits: commits.length, commits };
        return { status: 200, body };
      },
    },
    {
      name: 'repoCreateStatus',
      method: 'POST',
      pattern: new RegExp(`${REPO}/statuses/(?<sha>[^/]+)$`),
      async handle(context) {
        const repo = repoOf(context);
        if (!repo) return notFound(context.baseUrl);
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(context.body || '{}') as Record<string, unknown>;
        } catch (error) {
          return {
            status: 422,
            body: [
              { fieldNames: [], classification: 'DeserializationError', message: (error as Error).message },
            ],
          };
        }
        const state = String(input.state ?? '');
        if (!STATES.has(state))
          return apiError(422, `invalid commit status state "${state}"`, context.baseUrl);
        const sha = context.params.sha ?? '';
        // Gitea looks the commit up and answers an unknown one with 500 (CreateCommitStatus → GetCommit).
        if (!(await commitData(repo.bare, sha))) {
          return apiError(
            500,
            `GetCommit[${sha}]: object does not exist [id: ${sha}, rel_path: ]`,
            context.baseUrl,
          );
        }
        const received: ReceivedGiteaStatus = {
          repo: repo.fullName,
          sha,
          state,
          targetUrl: String(input.target_url ?? ''),
          description: String(input.description ?? ''),
          context: String(input.context ?? ''),
        };
        statuses.push(received);
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        statusId += 1;
        const body: GiteaCommitStatusJson = {
          id: statusId,
          status: state,
          target_url: received.targetUrl,
          description: received.description,
          url: `${repo.urls.api}/statuses/${sha}`,
          context: received.context,
          creator: userJson(context.baseUrl),
          created_at: now,
          updated_at: now,
        };
        return { status: 201, body };
      },
    },
  ];
  // Every answer carries the proxy's quota headers, like the real thing behind a limiter.
  const routes: Route[] = handlers.map((route) => ({
    ...route,
    async handle(context: RouteContext) {
      const response = await route.handle(context);
      return { ...response, headers: { ...quotaHeaders(), ...response.headers } };
    },
  }));

  const server = await startFakeServer(routes, {
    before(context) {
      const throttled = throttle();
      if (throttled) return throttled;
      const refused = authorize(context);
      return refused ? { ...refused, headers: { ...quotaHeaders(), ...refused.headers } } : null;
    },
  });

  return {
    ...server,
    apiUrl: `${server.url}/api/v1`,
    addRepo,
    statuses,
    quota: () => (quota ? { ...quota, resetAt: new Date(quota.resetAt) } : undefined),
    setRateLimit(rateLimit) {
      quota = rateLimit ? { ...rateLimit } : undefined;
    },
  };
}
