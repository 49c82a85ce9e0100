import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startHost } from './children.mjs';
import { EXACT_BRANCHES, repoName } from './data.mjs';
import { nowMs } from './ipc.mjs';
import { mean, median, percentile, round } from './stats.mjs';

/** The deploy command: records when it started (bash's $EPOCHREALTIME, no fork) and what it deploys. */
const RECORD_COMMAND = 'echo "$EPOCHREALTIME $SENTRY_REPO $SENTRY_BRANCH $SENTRY_COMMIT" >> "$BENCH_LOG"';

function monitorFor(context, kind, apiUrl, index, branches) {
  return {
    repo_url: `https://forge.invalid/bench/${repoName(index)}.git`,
    api_base_url: apiUrl,
    repo_type: kind,
    branches,
    auth: { token: context.token },
  };
}

/** What a user would write for a few thousand repositories: see docs/benchmarks.md. */
function engineConfig(context, name, { repositories, pollingInterval = 60, webhookSecret }) {
  return {
    polling_interval: pollingInterval,
    repositories,
    global: {
      tmp_dir: path.join(context.workDir, `jobs-${name}`),
      cleanup: true,
      poll_concurrency: context.options.concurrency,
      poll_timeout: 30,
    },
    state: { driver: 'sqlite', path: path.join(context.workDir, `state-${name}.db`) },
    ...(webhookSecret ? { server: { webhook_secret: webhookSecret } } : {}),
  };
}

async function startEngine(context, events) {
  return startHost({
    script: context.engineScript,
    env: {
      BENCH_PACKAGES: context.packages,
      // `--profile <dir>`: a CPU profile of the measured unchanged cycles (engine-host.mjs).
      ...(context.options.profile ? { BENCH_PROFILE_DIR: path.resolve(context.options.profile) } : {}),
      // `--allocations`: beside it, a sampling profile of the same cycles' allocations.
      ...(context.options.profile && context.options.allocations ? { BENCH_ALLOCATIONS: '1' } : {}),
      ...(context.options.heapSnapshot ? { BENCH_HEAP_DIR: path.resolve(context.options.heapSnapshot) } : {}),
    },
    logFile: path.join(context.logs, 'engine-host.log'),
    children: context.children,
    onEvent: (message) => events.push({ ...message.event, at: message.at }),
  });
}

function pollErrorsOf(events) {
  return events
    .filter((event) => event.type === 'poll:error')
    .map((event) => `${event.repository}: ${event.message}`);
}

/** Lines the deploy command wrote: `{ at, repository, branch, sha }`, at in epoch milliseconds. */
async function commandLines(file) {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [time, repository, branch, sha] = line.split(' ');
      return { at: Number(time.replace(',', '.')) * 1000, repository, branch, sha };
    });
}

function distribution(values) {
  return {
    count: values.length,
    p50: round(percentile(values, 50)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? Math.max(...values) : null),
  };
}

/**
 * A scale scenario warms up with unchanged cycles until they add up to this many requests (at
 * least one cycle), then measures cycles until they do too (at least `--cycles` − 2). An exact
 * scenario's cycle is 10,000 requests (GitLab's 5,000), a regex one's 1,000: one cycle of those
 * left V8 still compiling the poll's path for the next five (docs/decisions.md #41), so every
 * scenario now warms up on, and is judged over, the same amount of work.
 */
const MIN_PHASE_REQUESTS = 10_000;
/** ...but a scenario whose cycles are tiny (a small `--scale`) stops each phase here. */
const MAX_PHASE_CYCLES = 20;

/** N repositories × branches on one fake forge: a baseline cycle, a warm-up unchanged one, then the measured unchanged ones. */
export async function runScale(context, kind, shape) {
  const { options, forge } = context;
  const count = shape === 'regex' ? Math.max(10, Math.round(1000 * options.scale)) : context.data.repos;
  const branches = shape === 'regex' ? ['release/.*'] : EXACT_BRANCHES;
  const headsPerRepo = shape === 'regex' ? 10 : 2;
  const served = await forge.call('startForge', {
    kind,
    count,
    latency: options.latency,
    token: context.token,
  });
  const name = `${kind}-${shape}`;
  const repositories = Array.from({ length: count }, (_, i) => ({
    name: repoName(i),
    monitor: monitorFor(context, kind, served.apiUrl, i, branches),
    deploy: { commands: ['true'] },
  }));
  const events = [];
  const engine = await startEngine(context, events);
  try {
    await engine.call('start', {
      config: engineConfig(context, name, { repositories }),
      name,
      configDir: context.workDir,
      qaCache: true,
      serve: false,
    });
    const before = await forge.call('stats');
    let spent = before.spentTotal;
    let forgeCpu = before.cpuMsTotal;
    const cycles = [];
    const phases = { 'warm-up': { cycles: 0, requests: 0 }, unchanged: { cycles: 0, requests: 0 } };
    const done = (phase, least) =>
      phase.cycles >= least && (phase.requests >= MIN_PHASE_REQUESTS || phase.cycles >= MAX_PHASE_CYCLES);
    for (let i = 0; ; i += 1) {
      const kind = i === 0 ? 'baseline' : done(phases['warm-up'], 1) ? 'unchanged' : 'warm-up';
      if (kind === 'unchanged' && done(phases.unchanged, options.cycles - 2)) break;
      // `--profile`: the measured cycles only (engine-host.mjs).
      if (kind === 'unchanged' && phases.unchanged.cycles === 0) await engine.call('profileStart');
      const cycle = await engine.call('cycle');
      const stats = await forge.call('stats');
      cycles.push({
        kind,
        wallSeconds: round(cycle.wallMs / 1000, 2),
        cpuSeconds: round(cycle.cpuMs / 1000, 2),
        requests: stats.requests,
        notModified: stats.notModified,
        failedRequests: stats.failed,
        quotaSpent: stats.spentTotal - spent,
        forgeCpuSeconds: round((stats.cpuMsTotal - forgeCpu) / 1000, 2),
        checked: cycle.checked,
        changed: cycle.changed,
        errors: cycle.errors,
      });
      spent = stats.spentTotal;
      forgeCpu = stats.cpuMsTotal;
      if (kind !== 'baseline') {
        phases[kind].cycles += 1;
        phases[kind].requests += stats.requests;
      }
      if (cycle.errors >= count) {
        throw new Error(`${name}: every repository failed to poll: ${pollErrorsOf(events).join('; ')}`);
      }
    }
    const usage = await engine.call('usage');
    await engine.call('close');
    // The first unchanged cycles run the not-modified path for the first time: V8 compiles it and
    // collects what the baseline left behind, one-off work that made the first cost up to 3 times
    // a later cycle. They are shown (kind "warm-up") but the steady figures are the cycles after
    // them; every unchanged cycle still counts for the quota.
    const unchanged = cycles.slice(1);
    const warming = unchanged.filter((c) => c.kind === 'warm-up');
    const steady = unchanged.filter((c) => c.kind === 'unchanged');
    const warmUp = {
      cycles: warming.length,
      cpuSeconds: round(
        warming.reduce((sum, c) => sum + c.cpuSeconds, 0),
        2,
      ),
      requests: warming.reduce((sum, c) => sum + c.requests, 0),
      wallSeconds: round(
        warming.reduce((sum, c) => sum + c.wallSeconds, 0),
        2,
      ),
    };
    const result = {
      name,
      provider: kind,
      repositories: count,
      branchesPerRepository: headsPerRepo,
      heads: count * headsPerRepo,
      match: shape === 'regex' ? 'regex release/.*' : 'exact main, develop',
      cycles,
      steady: {
        wallSeconds: round(mean(steady.map((c) => c.wallSeconds)), 2),
        cpuSeconds: round(mean(steady.map((c) => c.cpuSeconds)), 2),
        requests: round(mean(steady.map((c) => c.requests)), 0),
        notModified: round(mean(steady.map((c) => c.notModified)), 0),
        quotaSpent: Math.max(...unchanged.map((c) => c.quotaSpent)),
        forgeCpuSeconds: round(mean(steady.map((c) => c.forgeCpuSeconds)), 2),
      },
      warmUp,
      peakRssMB: round(usage.peakRssBytes / 1024 / 1024, 1),
      heapUsedMB: round(usage.heapUsedBytes / 1024 / 1024, 1),
      modulesRssMB: round(usage.loadedRssBytes / 1024 / 1024, 1),
      forgeWarmupMs: round(served.warmMs, 0),
      pollErrors: pollErrorsOf(events).slice(0, 5),
    };
    const base = cycles[0];
    console.log(
      `  ${result.heads} heads: baseline ${base.wallSeconds} s (${base.requests} requests, cpu ${base.cpuSeconds} s), unchanged ${result.steady.wallSeconds} s (${result.steady.requests} requests, ${result.steady.notModified} × 304, quota ${result.steady.quotaSpent}, cpu ${result.steady.cpuSeconds} s), peak RSS ${result.peakRssMB} MB`,
    );
    return result;
  } finally {
    await engine.stop();
  }
}

/**
 * 200 pushes over 10 s to distinct repository branches on the GitHub fake while the engine
 * watches (polling on). `webhook`: each push is announced by a signed webhook to the server's
 * /webhooks/github; `poll`: no webhooks, the scheduled polls find them.
 */
export async function runStorm(context, path_) {
  const { options, forge } = context;
  const webhook = path_ === 'webhook';
  const count = Math.max(10, Math.round(1000 * options.scale));
  const pushes = Math.max(10, Math.round(200 * options.scale));
  const windowMs = 10_000;
  const served = await forge.call('startForge', {
    kind: 'github',
    count,
    latency: options.latency,
    token: context.token,
  });
  const name = `storm-${path_}`;
  const log = path.join(context.workDir, `${name}.log`);
  const repositories = Array.from({ length: count }, (_, i) => ({
    name: repoName(i),
    monitor: monitorFor(context, 'github', served.apiUrl, i, EXACT_BRANCHES),
    deploy: { commands: [RECORD_COMMAND], env: { BENCH_LOG: log } },
  }));
  const events = [];
  const engine = await startEngine(context, events);
  try {
    const { url } = await engine.call('start', {
      config: engineConfig(context, name, {
        repositories,
        pollingInterval: options.stormInterval,
        webhookSecret: webhook ? context.webhookSecret : undefined,
      }),
      name,
      configDir: context.workDir,
      qaCache: true,
      serve: webhook,
    });
    const baseline = await engine.call('cycle');
    if (baseline.errors > 0)
      throw new Error(`${name}: the baseline poll failed: ${pollErrorsOf(events).join('; ')}`);
    await engine.call('watch');

    // A pushed SHA is done when its job finished; the storm ends when every one is (or at the
    // deadline, which the result reports).
    const kept = [];
    const finished = new Set();
    const waiters = new Set();
    const drain = () => {
      for (const event of events.splice(0)) {
        if (event.type === 'job:finish') finished.add(event.sha);
        kept.push(event);
      }
      for (const waiter of waiters) waiter();
    };
    const watcher = setInterval(drain, 20);
    const waitFor = (shas, timeoutMs) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => done(true), timeoutMs);
        const check = () => shas.every((sha) => finished.has(sha)) && done(false);
        function done(timedOut) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(timedOut);
        }
        waiters.add(check);
        check();
      });
    const push = (i) =>
      forge.call('push', {
        repo: i % count,
        branch: EXACT_BRANCHES[Math.floor(i / count) % EXACT_BRANCHES.length],
        webhook: webhook ? { url: `${url}/webhooks/github`, secret: context.webhookSecret } : undefined,
      });

    const started = nowMs();
    const sends = [];
    for (let i = 0; i < pushes; i += 1) {
      const due = started + (i * windowMs) / pushes;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - nowMs())));
      sends.push(push(i));
    }
    const pushed = await Promise.all(sends);
    const timedOut = await waitFor(
      pushed.map((p) => p.after),
      options.stormInterval * 1000 * 1.2 + 30_000,
    );

    // After the storm, a few webhooks one at a time: the latency of a webhook nothing queues
    // behind (scheduled polls still run). They go to repositories the storm did not push, so a
    // storm push still waiting (a timed-out poll backs off) does not hold them: they are measured
    // even when the storm missed its deadline, which the result reports apart.
    const quiet = [];
    // `--profile <dir>`: a CPU profile of the engine during these (engine-host.mjs).
    if (webhook) await engine.call('profileStart');
    if (webhook) {
      // 100: a p99 by nearest rank is the second slowest, not (as with 20) the slowest alone.
      const quietCount = Math.max(5, Math.round(100 * options.scale));
      for (let i = pushes; i < pushes + quietCount; i += 1) {
        const one = await push(i);
        quiet.push(one);
        if (await waitFor([one.after], 30_000)) break;
      }
    }
    clearInterval(watcher);
    drain();
    const usage = await engine.call('usage');
    await engine.call('close');

    const changes = new Map(
      kept.filter((e) => e.type === 'change').map((e) => [`${e.repository} ${e.after}`, e]),
    );
    const firstOf = (type, keysOf) => {
      const found = new Map();
      for (const event of kept.filter((e) => e.type === type))
        for (const key of keysOf(event)) if (!found.has(key)) found.set(key, event);
      return found;
    };
    const runStarts = firstOf('run:start', (e) => e.jobs);
    const jobStarts = firstOf('job:start', (e) => [`${e.repository} ${e.sha}`]);
    const commands = new Map(
      (await commandLines(log)).map((line) => [`${line.repository} ${line.sha}`, line]),
    );
    const measure = (list) => {
      const m = {
        detection: [],
        webhookToChange: [],
        changeToCommand: [],
        webhookToCommand: [],
        pushToCommand: [],
        changeToRunStart: [],
        runStartToJobStart: [],
        jobStartToCommand: [],
      };
      for (const one of list) {
        const key = `${one.repo} ${one.after}`;
        const change = changes.get(key);
        const command = commands.get(key);
        if (change) {
          m.detection.push(change.at - one.pushedAt);
          if (webhook) m.webhookToChange.push(change.at - one.webhookAt);
        }
        const runStart = runStarts.get(key);
        const jobStart = jobStarts.get(key);
        if (change && runStart) m.changeToRunStart.push(runStart.at - change.at);
        if (runStart && jobStart) m.runStartToJobStart.push(jobStart.at - runStart.at);
        if (jobStart && command) m.jobStartToCommand.push(command.at - jobStart.at);
        if (command) {
          m.pushToCommand.push(command.at - one.pushedAt);
          if (change) m.changeToCommand.push(command.at - change.at);
          if (webhook) m.webhookToCommand.push(command.at - one.webhookAt);
        }
      }
      return m;
    };
    const storm = measure(pushed);
    const calm = measure(quiet);
    const webhookStatuses = {};
    for (const one of [...pushed, ...quiet]) {
      if (webhook) webhookStatuses[one.webhookStatus] = (webhookStatuses[one.webhookStatus] ?? 0) + 1;
    }
    const result = {
      name,
      path: path_,
      provider: 'github',
      repositories: count,
      heads: count * EXACT_BRANCHES.length,
      pushes,
      windowSeconds: windowMs / 1000,
      pollingInterval: options.stormInterval,
      detected: storm.detection.length,
      deployed: storm.pushToCommand.length,
      timedOut,
      detectionMs: distribution(storm.detection),
      changeToCommandMs: distribution(storm.changeToCommand),
      pushToCommandMs: distribution(storm.pushToCommand),
      ...(webhook
        ? {
            webhookToChangeMs: distribution(storm.webhookToChange),
            webhookToCommandMs: distribution(storm.webhookToCommand),
            webhookStatuses,
            quiet: {
              pushes: quiet.length,
              webhookToChangeMs: distribution(calm.webhookToChange),
              webhookToCommandMs: distribution(calm.webhookToCommand),
              changeToCommandMs: distribution(calm.changeToCommand),
              // change → command in its stages: recording and queueing, the run's and job's
              // state writes, the executor (job directory, wrapper, spawn, handle, shell).
              stagesMs: {
                changeToRunStart: distribution(calm.changeToRunStart),
                runStartToJobStart: distribution(calm.runStartToJobStart),
                jobStartToCommand: distribution(calm.jobStartToCommand),
              },
            },
          }
        : {}),
      peakRssMB: round(usage.peakRssBytes / 1024 / 1024, 1),
      cpuSeconds: round(usage.cpuMs / 1000, 2),
    };
    console.log(
      `  ${result.detected}/${pushes} detected, ${result.deployed} deployed; detection p50 ${result.detectionMs.p50} ms p99 ${result.detectionMs.p99} ms; change→command p50 ${result.changeToCommandMs.p50} ms p99 ${result.changeToCommandMs.p99} ms${webhook ? `; webhook→command p50 ${result.webhookToCommandMs.p50} ms p99 ${result.webhookToCommandMs.p99} ms; one at a time after the storm: webhook→command p50 ${result.quiet.webhookToCommandMs.p50} ms p99 ${result.quiet.webhookToCommandMs.p99} ms (p50 stages: webhook→change ${result.quiet.webhookToChangeMs.p50}, change→run start ${result.quiet.stagesMs.changeToRunStart.p50}, run start→job start ${result.quiet.stagesMs.runStartToJobStart.p50}, job start→command ${result.quiet.stagesMs.jobStartToCommand.p50} ms)` : ''}`,
    );
    return result;
  } finally {
    await engine.stop();
  }
}

/**
 * Checkout time of a 1,000-commit QA repository served over real git smart HTTP: from the job's
 * start to its first command. Fresh: `qaCache: false` (a clone per job). Cached: the QA cache,
 * whose first job fills the mirror and whose later jobs fetch and check out locally.
 */
export async function runQaClone(context) {
  const { forge, options } = context;
  const served = await forge.call('startForge', {
    kind: 'github',
    count: 1,
    latency: options.latency,
    token: context.token,
  });
  const jobs = 5;
  const measure = async (mode) => {
    const log = path.join(context.workDir, `qa-${mode}.log`);
    const events = [];
    const engine = await startEngine(context, events);
    try {
      await engine.call('start', {
        config: engineConfig(context, `qa-${mode}`, {
          repositories: [
            {
              name: 'qa-app',
              monitor: monitorFor(context, 'github', served.apiUrl, 0, ['main']),
              deploy: {
                qa_repo_url: context.data.qaUrl,
                qa_repo_branch: 'main',
                repo_type: 'git',
                commands: [RECORD_COMMAND],
                env: { BENCH_LOG: log },
              },
            },
          ],
        }),
        configDir: context.workDir,
        qaCache: mode === 'cached',
        serve: false,
      });
      await engine.call('cycle');
      const runs = mode === 'cached' ? jobs + 1 : jobs;
      for (let i = 0; i < runs; i += 1) {
        const outcome = await engine.call('trigger', { repositories: ['qa-app'] });
        if (outcome[0]?.status !== 'succeeded') {
          throw new Error(`qa-clone (${mode}): the deploy did not succeed: ${JSON.stringify(outcome)}`);
        }
      }
      await engine.call('close');
      const starts = events.filter((event) => event.type === 'job:start').map((event) => event.at);
      const lines = await commandLines(log);
      return lines.map((line, i) => line.at - starts[i]);
    } finally {
      await engine.stop();
    }
  };
  const fresh = await measure('fresh');
  const cachedAll = await measure('cached');
  const result = {
    commits: context.data.qa.commits,
    files: context.data.qa.files,
    treeBytes: context.data.qa.treeBytes,
    packBytes: context.data.qa.packBytes,
    freshClone: 'git clone --depth 1 --single-branch over HTTP (qaCache: false)',
    cachedCheckout: 'git fetch into the bare mirror over HTTP, then a --depth 1 clone from it over file://',
    transport:
      'git smart HTTP (test-utils git-http-server, git http-backend over loopback, no added latency)',
    jobs,
    freshMs: round(median(fresh)),
    freshAllMs: fresh.map((value) => round(value)),
    cacheFirstUseMs: round(cachedAll[0]),
    cachedMs: round(median(cachedAll.slice(1))),
    cachedAllMs: cachedAll.slice(1).map((value) => round(value)),
  };
  result.ratio = round(result.cachedMs / result.freshMs, 3);
  console.log(
    `  fresh clone ${result.freshMs} ms (median of ${jobs}), cache first use ${result.cacheFirstUseMs} ms, cached ${result.cachedMs} ms: ${round(result.ratio * 100)} % of fresh`,
  );
  return result;
}
