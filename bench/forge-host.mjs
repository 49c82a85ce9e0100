// The forge host: a child process of run.mjs that owns the bench repositories and serves them
// through the loopback fake forges of packages/test-utils (GitHub, Gitea, GitLab) and a real
// git smart-HTTP server for the QA repository. Keeping it out of the engine's process is what
// makes the engine's CPU and RSS figures its own.
import { createHmac, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createQaRepo, createRepos, createTemplate, repoName } from './lib/data.mjs';
import { git } from './lib/git.mjs';
import { nowMs, serveRequests } from './lib/ipc.mjs';

const forge = await import(process.env.BENCH_FORGE_BUNDLE);
const readCache = forge.createForgeReadCache();
const BIG_QUOTA = 100_000_000;

const state = { dirs: [], pool: [], nextPush: 0, server: null, kind: null, qaServer: null };

/** A quota the bench never exhausts; what is spent of it is the figure. */
function quotaOptions() {
  return { limit: BIG_QUOTA, remaining: BIG_QUOTA, resetAt: new Date(Date.now() + 6 * 3600_000) };
}

function spentOf(server, kind) {
  if (kind === 'github') return server.spent();
  if (kind === 'gitlab') return server.quotaSpent();
  return BIG_QUOTA - server.quota().remaining;
}

/** Whether the repository has loose branch refs (a push wrote one), not just its packed-refs. */
async function hasLooseRefs(dir) {
  const entries = await readdir(path.join(dir, 'refs/heads'), { recursive: true, withFileTypes: true });
  return entries.some((entry) => entry.isFile());
}

/**
 * Reads the served repositories' branches once, as the forge of that kind will (the cache keys
 * are the ones the fakes use), so the first measured cycle does not wait for thousands of
 * `git for-each-ref` runs in this process. Repositories whose refs are stored identically (the
 * same packed-refs bytes, no loose refs) over the same shared objects list the same branches,
 * so git reads one of them and the others share its answer.
 */
async function warm(kind, dirs) {
  const started = nowMs();
  // Gitea answers a listing from its refs (git/refs/heads) and literal names from its branches.
  const reads =
    kind === 'gitea'
      ? [
          ['gitea-branches', forge.readBranches],
          ['gitea-refs', forge.readRefs],
        ]
      : [['branches', forge.listBranches]];
  for (const [key, read] of reads) {
    const byRefs = new Map();
    const queue = [...dirs];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let dir = queue.shift(); dir; dir = queue.shift()) {
          if (await hasLooseRefs(dir)) {
            await readCache.memo(dir, key, () => read(dir));
            continue;
          }
          const refs = await readFile(path.join(dir, 'packed-refs'), 'utf8');
          await readCache.memo(dir, key, () => {
            if (!byRefs.has(refs)) byRefs.set(refs, read(dir));
            return byRefs.get(refs);
          });
        }
      }),
    );
  }
  return nowMs() - started;
}

/**
 * The engine reads before...after of each change it finds (path filters), or with skip markers
 * alone the newest commit. The fake GitHub answers those with `git` runs (about ten for a
 * comparison), which would put this process's git time into the engine's latency figures; asking
 * once before the push memoizes the answers (SHAs name immutable objects, so they are the
 * answers the engine would get anyway).
 */
async function warmCompare(repo, before, after) {
  if (state.kind !== 'github') return;
  const base = `${state.server.url}/repos/bench/${repoName(repo)}`;
  for (const url of [`${base}/compare/${before}...${after}`, `${base}/commits/${after}`]) {
    const response = await fetch(url, { headers: { authorization: `token ${state.token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`warming ${url} failed: HTTP ${response.status}`);
  }
}

/**
 * A forge has its new branch list the moment it accepts a push, before it sends the webhook. The
 * fake reads it with `git for-each-ref` on the first request after `invalidate`, in this process,
 * which put 10 to 80 ms of the fake's own `git` spawn (more under load) into the engine's webhook
 * latency; reading it here, before the webhook goes out, keeps the figure the engine's.
 */
async function rereadBranches(dir) {
  const [key, read] =
    state.kind === 'gitea' ? ['gitea-branches', forge.readBranches] : ['branches', forge.listBranches];
  await readCache.memo(dir, key, () => read(dir));
}

async function stopForge() {
  if (!state.server) return;
  await state.server.close();
  state.server = null;
}

serveRequests({
  async setup({ root, repos, poolSize, qaCommits }) {
    const started = nowMs();
    const template = path.join(root, 'template.git');
    const { heads, pool } = await createTemplate(template, poolSize);
    state.pool = pool;
    state.dirs = await createRepos(path.join(root, 'repos'), template, heads, repos);
    const reposMs = nowMs() - started;
    const qaRoot = path.join(root, 'qa');
    await mkdir(qaRoot, { recursive: true });
    const qa = await createQaRepo(path.join(qaRoot, 'qa.git'), qaCommits);
    state.qaServer = await forge.startGitHttpServer({ root: qaRoot });
    return {
      repos: state.dirs.length,
      heads: Object.fromEntries(heads),
      reposMs,
      qaUrl: `${state.qaServer.url}/qa.git`,
      qa,
    };
  },

  async startForge({ kind, count, latency, token }) {
    await stopForge();
    const repos = Object.fromEntries(
      state.dirs.slice(0, count).map((dir, i) => [`bench/${repoName(i)}`, dir]),
    );
    const warmMs = await warm(kind, state.dirs.slice(0, count));
    const common = { repos, token, readCache, rateLimit: quotaOptions() };
    const server =
      kind === 'github'
        ? await forge.startGitHubServer(common)
        : kind === 'gitea'
          ? await forge.startGiteaServer(common)
          : await forge.startGitlabServer(common);
    server.setLatency(latency);
    state.server = server;
    state.kind = kind;
    state.token = token;
    const apiUrl = kind === 'github' ? server.url : server.apiUrl;
    return { url: server.url, apiUrl, warmMs };
  },

  /** Requests, 304s and quota since the last call (the request log is emptied each time). */
  stats() {
    const server = state.server;
    const requests = server.requests.length;
    const notModified = server.requests.filter((request) => request.status === 304).length;
    const failed = server.requests.filter((request) => request.status >= 400 || request.status < 0).length;
    const unexpected = server.unexpected().length;
    server.requests.length = 0;
    const cpu = process.cpuUsage();
    return {
      requests,
      notModified,
      failed,
      unexpected,
      spentTotal: spentOf(server, state.kind),
      cpuMsTotal: (cpu.user + cpu.system) / 1000,
    };
  },

  stopForge,

  /** Moves a branch to a new commit (as a push would), then announces it with a signed webhook. */
  async push({ repo, branch, webhook }) {
    const dir = state.dirs[repo];
    const after = state.pool[state.nextPush++];
    if (!after) throw new Error('the pool of commits to push is used up: raise poolSize');
    const before = await git(dir, 'rev-parse', `refs/heads/${branch}`);
    await warmCompare(repo, before, after);
    await git(dir, 'update-ref', `refs/heads/${branch}`, after, before);
    readCache.invalidate(dir);
    await rereadBranches(dir);
    const pushedAt = nowMs();
    if (!webhook) return { repo: repoName(repo), branch, before, after, pushedAt };
    const body = JSON.stringify({
      ref: `refs/heads/${branch}`,
      before,
      after,
      repository: {
        full_name: `bench/${repoName(repo)}`,
        html_url: `https://forge.invalid/bench/${repoName(repo)}`,
        clone_url: `https://forge.invalid/bench/${repoName(repo)}.git`,
      },
      pusher: { name: 'bench' },
    });
    const signature = `sha256=${createHmac('sha256', webhook.secret).update(body).digest('hex')}`;
    const webhookAt = nowMs();
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signature,
      },
      body,
    });
    await response.arrayBuffer();
    return {
      repo: repoName(repo),
      branch,
      before,
      after,
      pushedAt,
      webhookAt,
      webhookStatus: response.status,
    };
  },

  async shutdown() {
    await stopForge();
    await state.qaServer?.close();
    state.qaServer = null;
    setImmediate(() => process.exit(0));
  },
});

// The bench went away (crash, SIGINT): close everything and go too.
process.on('disconnect', () => {
  void stopForge().finally(() => process.exit(0));
});
process.send({ ready: true });
