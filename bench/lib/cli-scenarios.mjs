// Scenarios that run `sentry-git watch` the way the container image runs it (`node
// --no-memory-reducer packages/cli/bin/run.js watch -c sentry.yaml --port 0`: the image's node
// flags, read from its Dockerfile), against the fake Gitea of the forge host, and measure the CLI's
// process from outside: CPU time and memory from /proc, requests from the fake's log.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXACT_BRANCHES, repoName } from './data.mjs';
import { nowMs } from './ipc.mjs';
import { cpuMsOf, loadAverage, memoryOf } from './proc.mjs';
import { median, round } from './stats.mjs';

const MB = 1024 * 1024;
/** Requests per repository per cycle: the fake Gitea is asked for each exact branch by name. */
const REQUESTS_PER_REPOSITORY = EXACT_BRANCHES.length;

/** Bytes as MB with one decimal; null stays null (no samples in a window). */
const mb = (bytes) => (bytes === null || bytes === undefined ? null : round(bytes / MB, 1));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Scheme C file (JSON is YAML): N Gitea repositories × main and develop, a no-op deploy; the
 * SQLite store unless `state` says otherwise, and `global` keys added to the defaults.
 */
export async function writeConfig(context, name, { count, apiUrl, interval, state, global = {} }) {
  const dir = path.join(context.workDir, name);
  await mkdir(dir, { recursive: true });
  const config = {
    polling_interval: interval,
    repositories: Array.from({ length: count }, (_, i) => ({
      name: repoName(i),
      monitor: {
        repo_url: `https://forge.invalid/bench/${repoName(i)}.git`,
        api_base_url: apiUrl,
        repo_type: 'gitea',
        branches: EXACT_BRANCHES,
        auth: { token: context.token },
      },
      deploy: { commands: ['true'] },
    })),
    global: { tmp_dir: path.join(dir, 'jobs'), cleanup: true, ...global },
    state: state ?? { driver: 'sqlite', path: path.join(dir, 'state.db') },
  };
  const file = path.join(dir, 'sentry.yaml');
  await writeFile(file, JSON.stringify(config, null, 1));
  return { dir, file };
}

/**
 * The node flags the container image starts the CLI with (the ENTRYPOINT of
 * deploy/docker/Dockerfile, between `node` and the script): flags V8 takes only as it starts,
 * which the deployed `watch` runs with (packages/cli/src/daemon-heap.ts, DAEMON_NODE_FLAGS).
 */
async function imageNodeFlags(root) {
  const dockerfile = await readFile(path.join(root, 'deploy/docker/Dockerfile'), 'utf8');
  const entrypoint = dockerfile.split('\n').findLast((line) => line.startsWith('ENTRYPOINT '));
  const words = entrypoint ? JSON.parse(entrypoint.slice('ENTRYPOINT '.length)) : [];
  const node = words.indexOf('node');
  const script = words.indexOf('/app/bin/run.js');
  if (node < 0 || script < node) {
    throw new Error(
      'deploy/docker/Dockerfile: no ENTRYPOINT of the form [..., "node", <flags>, "/app/bin/run.js"]',
    );
  }
  return words.slice(node + 1, script);
}

/**
 * Starts `sentry-git watch` with the server on (`--port 0`) and returns its process, the request
 * counter of the fake forge (drained every `everyMs`, which also keeps the fake's request log
 * small) and a memory sampler.
 */
export async function startWatch(context, { dir, file, label, env = {}, logLevel = 'warn' }) {
  const log = createWriteStream(path.join(context.logs, `${label}.log`));
  // `--profile <dir>`: node's own CPU profile of the watch, written when it exits.
  const profile = context.options.profile
    ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(context.options.profile)]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      ...(await imageNodeFlags(context.root)),
      path.join(context.root, 'packages/cli/bin/run.js'),
      'watch',
      '-c',
      file,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      logLevel,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  context.children.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = once(child, 'exit').then(([code, signal]) => {
    context.children.delete(child);
    log.end();
    return { code, signal };
  });
  return { child, exited };
}

export async function stopWatch(watch) {
  if (watch.child.exitCode !== null || watch.child.signalCode !== null) return watch.exited;
  watch.child.kill('SIGTERM');
  const timer = setTimeout(() => watch.child.kill('SIGKILL'), 15_000);
  const result = await watch.exited;
  clearTimeout(timer);
  return result;
}

/**
 * Counts the fake forge's requests and samples the CLI's RSS until `until()` says stop. The
 * counters are kept on `meter` so a caller can read them between waits.
 */
function createMeter(context, watch) {
  const meter = { requests: 0, failed: 0, lastRequestAt: nowMs(), samples: [], error: null };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const stats = await context.forge.call('stats');
        if (stats.requests > 0) meter.lastRequestAt = nowMs();
        meter.requests += stats.requests;
        meter.failed += stats.failed;
        const memory = await memoryOf(watch.child.pid);
        meter.samples.push({ at: nowMs(), rssBytes: memory.rssBytes });
        meter.peakRssBytes = memory.peakRssBytes;
      } catch (error) {
        // The CLI exited: its /proc entry is gone. The waiters see the exit.
        if (watch.child.exitCode !== null || watch.child.signalCode !== null) break;
        meter.error = error;
      }
      await sleep(250);
    }
  })();
  return {
    meter,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Waits until the forge has served `requests` in all and then nothing for `quietMs`. */
async function waitForRequests(meter, watch, { requests, quietMs, timeoutMs, what }) {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    if (watch.child.exitCode !== null || watch.child.signalCode !== null) {
      throw new Error(`sentry-git watch exited while ${what} (see the logs folder)`);
    }
    if (meter.requests >= requests && nowMs() - meter.lastRequestAt >= quietMs) return;
    if (nowMs() > deadline) {
      throw new Error(
        `${what}: ${meter.requests} of ${requests} requests after ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await sleep(100);
  }
}

function cliSizes(options) {
  return options.cliSizes.map((size) => Math.max(10, Math.round(size * options.scale)));
}

/**
 * Steady state through the CLI: for each size, N repositories × 2 exact branches on the fake
 * Gitea (latency as set), `polling_interval` 60 s. After the baseline cycle and a warm-up
 * unchanged one, CPU time (user + system, /proc) over `cliCycles` unchanged cycles, idle time
 * between them included, divided by the requests the fake served in that window; RSS sampled all
 * along (the peak covers the whole run).
 */
export async function runCliSteady(context) {
  const { options, forge } = context;
  const results = [];
  for (const count of cliSizes(options)) {
    const served = await forge.call('startForge', {
      kind: 'gitea',
      count,
      latency: options.latency,
      token: context.token,
    });
    const label = `cli-steady-${count}`;
    const { dir, file } = await writeConfig(context, label, {
      count,
      apiUrl: served.apiUrl,
      interval: options.cliInterval,
    });
    await forge.call('stats');
    const started = nowMs();
    const watch = await startWatch(context, { dir, file, label });
    const { meter, stop } = createMeter(context, watch);
    const perCycle = count * REQUESTS_PER_REPOSITORY;
    const cycleTimeout = options.cliInterval * 1000 * 1.5 + 120_000;
    try {
      await waitForRequests(meter, watch, {
        requests: perCycle,
        quietMs: 1000,
        timeoutMs: cycleTimeout,
        what: `the baseline cycle of ${count} repositories`,
      });
      const baselineSeconds = (nowMs() - started) / 1000;
      // The first unchanged cycle is a warm-up, as in the engine scenarios (scenarios.mjs): its
      // CPU is shown, the measured window starts after it.
      const warmCpu0 = await cpuMsOf(watch.child.pid);
      const warmRequests0 = meter.requests;
      await waitForRequests(meter, watch, {
        requests: warmRequests0 + perCycle,
        quietMs: 1000,
        timeoutMs: cycleTimeout,
        what: `the warm-up cycle of ${count} repositories`,
      });
      const loadBefore = await loadAverage();
      const cpu0 = await cpuMsOf(watch.child.pid);
      const warmUpCpuMsPerRequest = round((cpu0 - warmCpu0) / (meter.requests - warmRequests0), 3);
      const at0 = nowMs();
      const requests0 = meter.requests;
      const failed0 = meter.failed;
      await waitForRequests(meter, watch, {
        requests: requests0 + perCycle * options.cliCycles,
        quietMs: 1000,
        timeoutMs: cycleTimeout * options.cliCycles,
        what: `${options.cliCycles} unchanged cycles of ${count} repositories`,
      });
      const cpu1 = await cpuMsOf(watch.child.pid);
      const windowSeconds = (nowMs() - at0) / 1000;
      const requests = meter.requests - requests0;
      const memory = await memoryOf(watch.child.pid);
      const loadAfter = await loadAverage();
      const steadySamples = meter.samples.filter((sample) => sample.at >= at0);
      const result = {
        repositories: count,
        heads: count * EXACT_BRANCHES.length,
        pollingInterval: options.cliInterval,
        cycles: options.cliCycles,
        baselineSeconds: round(baselineSeconds, 1),
        windowSeconds: round(windowSeconds, 1),
        requests,
        failedRequests: meter.failed - failed0,
        cpuSeconds: round((cpu1 - cpu0) / 1000, 2),
        cpuMsPerRequest: round((cpu1 - cpu0) / requests, 3),
        cpuShareOfOneCore: round(((cpu1 - cpu0) / 1000 / windowSeconds) * 100, 2),
        warmUpCpuMsPerRequest,
        peakRssMB: mb(memory.peakRssBytes),
        steadyRssMB: mb(median(steadySamples.map((sample) => sample.rssBytes))),
        rssKBPerRepository: round(memory.peakRssBytes / 1024 / count, 1),
        loadAverage: { before: loadBefore, after: loadAfter },
      };
      console.log(
        `  ${count} repositories: ${result.requests} requests in ${result.windowSeconds} s, CPU ${result.cpuSeconds} s = ${result.cpuMsPerRequest} ms per request (warm-up cycle ${warmUpCpuMsPerRequest}; ${result.cpuShareOfOneCore} % of one core), peak RSS ${result.peakRssMB} MB (${result.rssKBPerRepository} KB per repository), load ${loadBefore} → ${loadAfter}`,
      );
      results.push(result);
    } finally {
      await stop();
      await stopWatch(watch);
    }
  }
  // What one more repository costs: the slope between consecutive sizes.
  for (let i = 1; i < results.length; i += 1) {
    const [a, b] = [results[i - 1], results[i]];
    b.marginalKBPerRepository = round(
      ((b.peakRssMB - a.peakRssMB) * 1024) / (b.repositories - a.repositories),
      1,
    );
  }
  return results;
}

/**
 * A long watch through the CLI: N repositories × 2 exact branches on the fake Gitea, polled every
 * `soakInterval` seconds for `soakMinutes`. RSS is sampled every 250 ms; its growth is the median
 * of the last 30 s against the median of the 30 s around the reference point (minute 2, or a
 * fifth of a shortened run).
 */
export async function runSoak(context) {
  const { options, forge } = context;
  const count = Math.max(10, Math.round(options.soakRepos * options.scale));
  const served = await forge.call('startForge', {
    kind: 'gitea',
    count,
    latency: options.latency,
    token: context.token,
  });
  const label = 'cli-soak';
  const { dir, file } = await writeConfig(context, label, {
    count,
    apiUrl: served.apiUrl,
    interval: options.soakInterval,
  });
  await forge.call('stats');
  const durationMs = options.soakMinutes * 60_000;
  const referenceMs = Math.min(120_000, durationMs / 5);
  const loadBefore = await loadAverage();
  const started = nowMs();
  const watch = await startWatch(context, { dir, file, label });
  const { meter, stop } = createMeter(context, watch);
  let cpuAtReference = null;
  let requestsAtReference = 0;
  try {
    while (nowMs() - started < durationMs) {
      if (watch.child.exitCode !== null || watch.child.signalCode !== null) {
        throw new Error('sentry-git watch exited during the soak (see the logs folder)');
      }
      if (cpuAtReference === null && nowMs() - started >= referenceMs) {
        cpuAtReference = await cpuMsOf(watch.child.pid);
        requestsAtReference = meter.requests;
      }
      await sleep(250);
    }
    const cpuEnd = await cpuMsOf(watch.child.pid);
    const requestsAfterReference = meter.requests - requestsAtReference;
    const memory = await memoryOf(watch.child.pid);
    const loadAfter = await loadAverage();
    const at = (from, to) =>
      median(
        meter.samples
          .filter((sample) => sample.at - started >= from && sample.at - started <= to)
          .map((sample) => sample.rssBytes),
      );
    const reference = at(referenceMs - 15_000, referenceMs + 15_000);
    const end = at(durationMs - 30_000, durationMs);
    const afterReference = meter.samples.filter((sample) => sample.at - started >= referenceMs);
    const maxAfter = Math.max(...afterReference.map((sample) => sample.rssBytes));
    const result = {
      repositories: count,
      heads: count * EXACT_BRANCHES.length,
      pollingInterval: options.soakInterval,
      minutes: options.soakMinutes,
      referenceMinute: round(referenceMs / 60_000, 2),
      requests: meter.requests,
      failedRequests: meter.failed,
      rssAtReferenceMB: mb(reference),
      rssAtEndMB: mb(end),
      maxRssAfterReferenceMB: mb(maxAfter),
      peakRssMB: mb(memory.peakRssBytes),
      growthPercent: round((end / reference - 1) * 100, 2),
      cpuMsPerRequest: round((cpuEnd - cpuAtReference) / requestsAfterReference, 3),
      // RSS once a minute, for the curve.
      rssByMinuteMB: Array.from({ length: options.soakMinutes + 1 }, (_, minute) =>
        mb(at(minute * 60_000 - 5_000, minute * 60_000 + 5_000)),
      ),
      loadAverage: { before: loadBefore, after: loadAfter },
    };
    console.log(
      `  ${count} repositories every ${options.soakInterval} s for ${options.soakMinutes} min: ${result.requests} requests (${result.failedRequests} failed); RSS at minute ${result.referenceMinute} ${result.rssAtReferenceMB} MB, at the end ${result.rssAtEndMB} MB (${result.growthPercent} %), max after ${result.maxRssAfterReferenceMB} MB; CPU ${result.cpuMsPerRequest} ms per request`,
    );
    return result;
  } finally {
    await stop();
    await stopWatch(watch);
  }
}
