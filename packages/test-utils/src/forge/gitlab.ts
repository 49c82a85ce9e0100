import { RE2JS } from 're2js';
import { type CommitData, commitsData, compare, listBranches, resolveRef } from './git-data.js';
import {
  branchEntity as branchJson,
  commitEntity,
  paginationHeaders,
  rateLimitHeaders as quotaHeaders,
} from './gitlab-json.js';
import { type ForgeReadCache, readThrough } from './read-cache.js';
import {
  type FakeServer,
  type Route,
  type RouteContext,
  type RouteResponse,
  startFakeServer,
} from './server.js';

/**
 * A fake GitLab v4 REST API on loopback, backed by real bare repositories. It speaks GitLab's wire
 * format as documented (docs.gitlab.com/ee/api/rest, branches, repositories#compare,
 * commits#set-the-pipeline-status-of-a-commit, rate limits): project ids as URL-encoded full
 * paths, offset pagination with X-Total* / X-*-Page and Link headers (X-Total, X-Total-Pages and
 * rel="last" left out above `omitTotalsAbove` items, as GitLab does above 10,000), RateLimit-*
 * headers and 429 + Retry-After, `PRIVATE-TOKEN` or `Authorization: Bearer` auth, and GitLab's
 * JSON error bodies. It answers no conditional requests, like the real branches endpoint.
 */

export interface GitlabRateLimit {
  limit: number;
  remaining: number;
  /** When the quota resets. */
  resetAt: Date;
}

export interface GitlabServerOptions {
  /** Projects by full path (`group/sub/project`) → path of a bare repository. */
  repos: Record<string, string>;
  /** When set, requests must carry it (`PRIVATE-TOKEN` or `Authorization: Bearer`). */
  token?: string;
  /** When set, every request spends one and the answers carry RateLimit-* headers. */
  rateLimit?: GitlabRateLimit;
  /** `per_page` when the client sends none. @default 20 (GitLab's default) */
  perPage?: number;
  /** Above this many items X-Total, X-Total-Pages and rel="last" are left out. @default 10000 */
  omitTotalsAbove?: number;
  /** Memoize branch lists (load tests); the caller invalidates after it moves a ref. @default none */
  readCache?: ForgeReadCache;
  /**
   * Whether the branch list honours its `search` and `regex` filters, as current GitLab does;
   * false answers like a GitLab that does not know them (the whole list). @default true
   */
  branchFilters?: boolean;
}

/** A commit status as the server stored it (GitLab's entity fields). */
export interface GitlabStatusRecord {
  id: number;
  sha: string;
  status: string;
  name: string;
  description: string | null;
  target_url: string | null;
  ref: string | null;
  created_at: string;
}

export interface GitlabServer extends FakeServer {
  /** `${url}/api/v4`: the API root. */
  apiUrl: string;
  /** Statuses posted for a commit, oldest first. */
  statuses(sha: string): GitlabStatusRecord[];
  /** Requests counted against the rate limit so far (GitLab counts every request). */
  quotaSpent(): number;
  /** Replace (or remove) the rate limit. */
  setRateLimit(rateLimit: GitlabRateLimit | undefined): void;
}

const STATES = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'];
const UNFINISHED = new Set(['pending', 'running', 'created']);
const PROJECT = '/api/v4/projects/(?<id>[^/]+)';

function notFound(what: string): RouteResponse {
  return { status: 404, body: { message: `404 ${what} Not Found` } };
}

/**
 * GitLab's branch-list filters: `search` (a substring; `^term` and `term$` anchor it) and `regex`
 * (RE2 found anywhere in the name, as `Gitlab::UntrustedRegexp`; read with re2js, the RE2 port
 * the engine matches branch patterns with). An expression RE2 refuses is a 400.
 */
function branchFilter(query: URLSearchParams): ((name: string) => boolean) | { error: string } {
  const search = query.get('search');
  const regex = query.get('regex');
  let pattern: RE2JS | undefined;
  if (regex) {
    try {
      pattern = RE2JS.compile(regex);
    } catch {
      return { error: 'regex is invalid' };
    }
  }
  return (name) => {
    if (pattern && !pattern.test(name)) return false;
    if (!search) return true;
    const start = search.startsWith('^');
    const end = search.endsWith('$');
    const term = search.slice(start ? 1 : 0, end ? -1 : undefined);
    if (start && end) return name === term;
    if (start) return name.startsWith(term);
    if (end) return name.endsWith(term);
    return name.includes(term);
  };
}

function perPageOf(query: URLSearchParams, fallback: number): number {
  const value = Number(query.get('per_page'));
  if (!Number.isInteger(value) || value < 1) return fallback;
  return Math.min(value, 100);
}

export async function startGitlabServer(options: GitlabServerOptions): Promise<GitlabServer> {
  const projects = Object.entries(options.repos).map(([path, bare], index) => ({
    id: index + 1,
    path,
    bare,
  }));
  const statuses = new Map<string, GitlabStatusRecord[]>();
  const commitCache = new Map<string, CommitData>();
  const branchesOf = readThrough(options.readCache, 'branches', listBranches);
  let rateLimit = options.rateLimit ? { ...options.rateLimit } : undefined;
  let spent = 0;
  let statusId = 0;
  const defaultPerPage = options.perPage ?? 20;
  const omitTotalsAbove = options.omitTotalsAbove ?? 10_000;

  function rateLimitHeaders(): Record<string, string> {
    return rateLimit ? quotaHeaders(rateLimit.limit, rateLimit.remaining, rateLimit.resetAt) : {};
  }

  /** Rack::Attack runs before authentication, so every request counts, answered or not. */
  function throttle(): RouteResponse | null {
    spent += 1;
    if (!rateLimit) return null;
    if (rateLimit.remaining <= 0) {
      const retryAfter = Math.max(0, Math.ceil((rateLimit.resetAt.getTime() - Date.now()) / 1000));
      return {
        status: 429,
        headers: { ...rateLimitHeaders(), 'Retry-After': String(retryAfter), 'content-type': 'text/plain' },
        body: 'Retry later\n',
      };
    }
    rateLimit.remaining -= 1;
    return null;
  }

  function tokenOf(context: RouteContext): string | undefined {
    const privateToken = context.req.headers['private-token'];
    if (typeof privateToken === 'string') return privateToken;
    const authorization = context.req.headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    return bearer?.[1];
  }

  function projectOf(id: string | undefined) {
    if (id === undefined) return undefined;
    return projects.find((project) => project.path === id || String(project.id) === id);
  }

  type Project = (typeof projects)[number];

  /** Throttling, authentication and project lookup as GitLab orders them, then the handler. */
  function guarded(
    handle: (context: RouteContext, project: Project) => Promise<RouteResponse> | RouteResponse,
  ): Route['handle'] {
    return async (context) => {
      const limited = throttle();
      if (limited) return limited;
      const response = await (async (): Promise<RouteResponse> => {
        const token = tokenOf(context);
        if (options.token !== undefined) {
          // A wrong token is refused outright; no token at all makes a private project invisible.
          if (token !== undefined && token !== options.token) {
            return { status: 401, body: { message: '401 Unauthorized' } };
          }
          if (token === undefined) return notFound('Project');
        }
        const project = projectOf(context.params.id);
        if (!project) return notFound('Project');
        return handle(context, project);
      })();
      return { ...response, headers: { ...rateLimitHeaders(), ...response.headers } };
    };
  }

  /** Commit data for a page of branches in one git run; commits never change, so they are cached. */
  async function loadCommits(bare: string, shas: string[]): Promise<void> {
    const missing = [...new Set(shas.filter((sha) => !commitCache.has(`${bare} ${sha}`)))];
    if (missing.length === 0) return;
    const cache = options.readCache;
    const loaded = cache
      ? await Promise.all(
          missing.map((sha) =>
            cache.memoObject(`commit ${sha}`, async () => (await commitsData(bare, [sha]))[0]),
          ),
        )
      : await commitsData(bare, missing);
    for (const commit of loaded) if (commit) commitCache.set(`${bare} ${commit.sha}`, commit);
  }

  async function branchEntity(context: RouteContext, project: Project, name: string, sha: string) {
    const webBase = `${context.baseUrl}/${project.path}`;
    await loadCommits(project.bare, [sha]);
    const commit = commitCache.get(`${project.bare} ${sha}`);
    if (!commit) throw new Error(`commit ${sha} of ${name} vanished`);
    return branchJson(name, commit, webBase);
  }

  function pageLink(context: RouteContext, project: Project, page: number, perPage: number): string {
    const query = new URLSearchParams(context.query);
    // GitLab's Link URLs repeat every request parameter, the project id included.
    query.set('id', project.path);
    query.set('page', String(page));
    query.set('per_page', String(perPage));
    return `${context.baseUrl}/api/v4/projects/${encodeURIComponent(project.path)}/repository/branches?${query}`;
  }

  const routes: Route[] = [
    {
      name: 'list branches',
      method: 'GET',
      pattern: new RegExp(`^${PROJECT}/repository/branches$`),
      handle: guarded(async (context, project) => {
        let all = await branchesOf(project.bare);
        if (options.branchFilters ?? true) {
          const filter = branchFilter(context.query);
          if (typeof filter !== 'function') return { status: 400, body: { error: filter.error } };
          if (context.query.has('search') || context.query.has('regex')) {
            all = all.filter((branch) => filter(branch.name));
          }
        }
        const perPage = perPageOf(context.query, defaultPerPage);
        const page = Math.max(1, Number(context.query.get('page')) || 1);
        const totalPages = Math.max(1, Math.ceil(all.length / perPage));
        const slice = all.slice((page - 1) * perPage, page * perPage);
        await loadCommits(
          project.bare,
          slice.map((branch) => branch.sha),
        );
        const body = await Promise.all(
          slice.map((branch) => branchEntity(context, project, branch.name, branch.sha)),
        );
        const withTotals = all.length <= omitTotalsAbove;
        return {
          status: 200,
          headers: paginationHeaders(page, perPage, totalPages, withTotals ? all.length : undefined, (to) =>
            pageLink(context, project, to, perPage),
          ),
          body,
        };
      }),
    },
    {
      name: 'get branch',
      method: 'GET',
      pattern: new RegExp(`^${PROJECT}/repository/branches/(?<branch>.+)$`),
      handle: guarded(async (context, project) => {
        const name = context.params.branch ?? '';
        const branch = (await branchesOf(project.bare)).find((candidate) => candidate.name === name);
        if (!branch) return notFound('Branch');
        return { status: 200, body: await branchEntity(context, project, branch.name, branch.sha) };
      }),
    },
    {
      name: 'compare',
      method: 'GET',
      pattern: new RegExp(`^${PROJECT}/repository/compare$`),
      handle: guarded(async (context, project) => {
        const from = context.query.get('from');
        const to = context.query.get('to');
        if (!from) return { status: 400, body: { error: 'from is missing' } };
        if (!to) return { status: 400, body: { error: 'to is missing' } };
        const comparison = await compare(project.bare, from, to);
        if (!comparison) return notFound('Ref');
        const webBase = `${context.baseUrl}/${project.path}`;
        const commits = comparison.commits.map((commit) => commitEntity(commit, webBase));
        return {
          status: 200,
          body: {
            commit: commits.at(-1) ?? null,
            commits,
            diffs: comparison.files.map((file) => ({
              old_path: file.previousFilename ?? file.filename,
              new_path: file.filename,
              a_mode: file.status === 'added' ? '0' : '100644',
              b_mode: file.status === 'removed' ? '0' : '100644',
              new_file: file.status === 'added',
              renamed_file: file.status === 'renamed',
              deleted_file: file.status === 'removed',
              generated_file: false,
              diff: '',
            })),
            compare_timeout: false,
            compare_same_ref: from === to,
            web_url: `${webBase}/-/compare/${from}...${to}`,
          },
        };
      }),
    },
    {
      name: 'set commit status',
      method: 'POST',
      pattern: new RegExp(`^${PROJECT}/statuses/(?<sha>[^/]+)$`),
      handle: guarded(async (context, project) => {
        let params: Record<string, unknown> = Object.fromEntries(context.query);
        const type = String(context.req.headers['content-type'] ?? '');
        if (context.body) {
          if (type.includes('json')) {
            try {
              params = { ...params, ...(JSON.parse(context.body) as Record<string, unknown>) };
            } catch {
              return { status: 400, body: { error: 'body is not valid JSON' } };
            }
          } else params = { ...params, ...Object.fromEntries(new URLSearchParams(context.body)) };
        }
        const state = params.state;
        if (typeof state !== 'string') return { status: 400, body: { error: 'state is missing' } };
        if (!STATES.includes(state))
          return { status: 400, body: { error: 'state does not have a valid value' } };
        const sha = await resolveRef(project.bare, context.params.sha ?? '');
        if (!sha?.startsWith(context.params.sha ?? '')) return notFound('Commit');
        const name = String(params.name ?? params.context ?? 'default');
        const list = statuses.get(sha) ?? [];
        const latest = [...list].reverse().find((record) => record.name === name);
        if (latest && UNFINISHED.has(latest.status) && latest.status === state) {
          const verb = state === 'running' ? 'run' : 'enqueue';
          return { status: 400, body: { message: `Cannot transition status via :${verb} from :${state}` } };
        }
        statusId += 1;
        const record: GitlabStatusRecord = {
          id: statusId,
          sha,
          status: state,
          name,
          description: typeof params.description === 'string' ? params.description : null,
          target_url: typeof params.target_url === 'string' ? params.target_url : null,
          ref: typeof params.ref === 'string' ? params.ref : null,
          created_at: new Date().toISOString(),
        };
        list.push(record);
        statuses.set(sha, list);
        return {
          status: 201,
          body: {
            ...record,
            started_at: state === 'running' ? record.created_at : null,
            finished_at: UNFINISHED.has(state) ? null : record.created_at,
            allow_failure: false,
            coverage: null,
            pipeline_id: 1,
            author: { id: 1, username: 'sentry-git', name: 'sentry-git', state: 'active' },
          },
        };
      }),
    },
  ];

  const server = await startFakeServer(routes);
  return {
    ...server,
    apiUrl: `${server.url}/api/v4`,
    statuses: (sha) => [...(statuses.get(sha) ?? [])],
    quotaSpent: () => spent,
    setRateLimit(next) {
      rateLimit = next ? { ...next } : undefined;
    },
  };
}
