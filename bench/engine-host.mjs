// The engine host: a child process of run.mjs running what `sentry-git watch` runs (createSentry
// with the real GitHub, GitLab and Gitea providers, the SQLite state store, the shell executor
// and, for webhooks, the server package), and nothing else, so its CPU and RSS are the engine's.
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { nowMs, serveRequests } from './lib/ipc.mjs';

const packages = process.env.BENCH_PACKAGES;
const load = async (name) => import(pathToFileURL(path.join(packages, name, 'dist/index.js')).href);
const { createSentry, definePlugin } = await load('core');
const { default: providerGithub } = await load('provider-github');
const { default: providerGitlab } = await load('provider-gitlab');
const { default: providerGitea } = await load('provider-gitea');
const { default: stateSqlite } = await load('state-sqlite');
const { createShellExecutor } = await load('executor-shell');

// What loading the engine's modules costs before it watches anything.
const loadedRss = process.memoryUsage().rss;
const state = { sentry: null, server: null, peakRss: 0, sampler: null, cycles: 0, profiler: null };

/**
 * `pnpm bench --profile <dir>`: the V8 CPU profile of this engine from its second cycle on (the
 * unchanged ones; the baseline's state writes would drown them) to its close, written to
 * `<dir>/<scenario>-<pid>.cpuprofile` for Chrome DevTools or speedscope.
 */
async function startProfile() {
  if (!process.env.BENCH_PROFILE_DIR || state.profiler) return;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  if (process.env.BENCH_ALLOCATIONS) {
    // Objects a collection freed are kept in the profile: the garbage of a cycle is the point.
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 8192,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  state.profiler = session;
}

async function stopProfile() {
  const session = state.profiler;
  if (!session) return;
  state.profiler = null;
  const { profile } = await session.post('Profiler.stop');
  const dir = process.env.BENCH_PROFILE_DIR;
  await mkdir(dir, { recursive: true });
  if (process.env.BENCH_ALLOCATIONS) {
    const heap = await session.post('HeapProfiler.stopSampling');
    await writeFile(
      path.join(dir, `${state.name ?? 'engine'}-${process.pid}.heapprofile`),
      JSON.stringify(heap.profile),
    );
  }
  session.disconnect();
  await writeFile(
    path.join(dir, `${state.name ?? 'engine'}-${process.pid}.cpuprofile`),
    JSON.stringify(profile),
  );
}

function sampleRss() {
  state.peakRss = Math.max(state.peakRss, process.memoryUsage().rss);
}

function emit(event) {
  process.send?.({ event, at: nowMs() });
}

async function close() {
  await stopProfile();
  // `--heap-snapshot <dir>`: what the engine holds after its cycles, before it lets go of it.
  if (process.env.BENCH_HEAP_DIR && state.sentry) {
    await mkdir(process.env.BENCH_HEAP_DIR, { recursive: true });
    v8.writeHeapSnapshot(
      path.join(process.env.BENCH_HEAP_DIR, `${state.name ?? 'engine'}-${process.pid}.heapsnapshot`),
    );
  }
  clearInterval(state.sampler);
  await state.server?.close();
  await state.sentry?.close({ graceMs: 0 });
  state.server = null;
  state.sentry = null;
}

serveRequests({
  async start({ config, configDir, qaCache, serve, name }) {
    state.name = name;
    const executor = definePlugin({
      name: 'bench-executor-shell',
      executors: [createShellExecutor({ qaCache })],
    });
    const sentry = await createSentry({
      config,
      configDir,
      plugins: [providerGithub, providerGitlab, providerGitea, executor, stateSqlite],
      loadPlugins: false,
      owner: 'bench',
    });
    state.sentry = sentry;
    let pollErrors = 0;
    sentry.on('change', ({ repository, branch, after, kind }) =>
      emit({ type: 'change', repository, branch, after, kind }),
    );
    sentry.on('job:start', ({ job }) =>
      emit({
        type: 'job:start',
        repository: job.repository,
        branch: job.branch,
        sha: job.sha,
        trigger: job.trigger,
      }),
    );
    // Where a change's time to its first command goes (the one-at-a-time webhooks' stages).
    sentry.on('run:start', ({ run }) =>
      emit({ type: 'run:start', jobs: run.jobs.map((job) => `${job.repository} ${job.sha}`) }),
    );
    sentry.on('job:finish', ({ job, result }) =>
      emit({ type: 'job:finish', repository: job.repository, sha: job.sha, status: result.status }),
    );
    sentry.on('poll:error', ({ repository, error }) => {
      pollErrors += 1;
      // The first few only: a broken setup would otherwise flood the channel.
      if (pollErrors <= 5) emit({ type: 'poll:error', repository, message: error.message });
    });
    state.sampler = setInterval(sampleRss, 100);
    state.sampler.unref();
    if (!serve) return {};
    // Loaded only when serving, as `sentry-git watch` without a port does not start it either.
    const { createServer } = await load('server');
    state.server = createServer(sentry, { webhookSecret: config.server.webhook_secret });
    const { url } = await state.server.listen({ port: 0, host: '127.0.0.1' });
    return { url };
  },

  /** One poll of every repository, with the wall time and this process's CPU time it took. */
  async cycle() {
    sampleRss();
    state.cycles += 1;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await state.sentry.pollOnce();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    sampleRss();
    return {
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      checked: result.checked,
      changed: result.changed,
      errors: result.errors,
      runs: result.runs.length,
      rss: process.memoryUsage().rss,
    };
  },

  async watch() {
    await state.sentry.start();
    return {};
  },

  async profileStart() {
    await startProfile();
    return {};
  },

  async idle() {
    await state.sentry.idle();
    return {};
  },

  /** Deploys now and waits: what the QA clone figures time. */
  async trigger({ repositories }) {
    const queued = await state.sentry.trigger({ repositories });
    const runs = await state.sentry.waitForRuns(queued.map((run) => run.id));
    return runs.map((run) => ({ status: run.status, jobs: run.jobs.map((job) => job.status) }));
  },

  usage() {
    sampleRss();
    const usage = process.resourceUsage();
    return {
      peakRssBytes: Math.max(state.peakRss, usage.maxRSS * 1024),
      heapUsedBytes: process.memoryUsage().heapUsed,
      loadedRssBytes: loadedRss,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    };
  },

  async close() {
    await close();
    return {};
  },
});

process.on('disconnect', () => {
  void close().finally(() => process.exit(0));
});
process.send({ ready: true });
