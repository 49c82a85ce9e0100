// Several `sentry-git watch` replicas on one PostgreSQL (a throw-away cluster, test-utils'
// startPostgres) against the fake Gitea: 1 replica, then 3, polling the same N repositories ×
// 2 exact branches as fast as they can. What scales is read from each replica's own /metrics (its
// share, `sentry_git_replica_polled_repositories`; its polls, `sentry_git_polls_total`) and /proc
// (CPU), and from the fake forge (its requests in all).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { imageNodeFlags } from './cli-scenarios.mjs';
import { EXACT_BRANCHES, repoName } from './data.mjs';
import { nowMs } from './ipc.mjs';
import { cpuMsOf, memoryOf } from './proc.mjs';
import { round } from './stats.mjs';

const MB = 1024 * 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** N Gitea repositories on a shared PostgreSQL state; every held repository due at once each interval. */
async function writeConfig(context, name, { count, apiUrl, interval, url }) {
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
    // No jitter and no stretching while idle, and an interval shorter than a cycle: every
    // repository a replica holds is due again when its cycle ends, so each cycle polls all of them
    // back to back, and a cycle's duration is the time the replica needs to poll its share once.
    global: { tmp_dir: path.join(dir, 'jobs'), cleanup: true, jitter: 0, max_polling_interval: interval },
    state: { driver: 'postgres', url },
  };
  const file = path.join(dir, 'sentry.yaml');
  await writeFile(file, JSON.stringify(config, null, 1));
  return { dir, file };
}

/** `sentry-git watch` as the image runs it, named `replica`; resolves with its server's URL. */
async function startReplica(context, { dir, file, replica }) {
  const log = createWriteStream(path.join(context.logs, `${replica}.log`));
  const child = spawn(
    process.execPath,
    [
      ...(await imageNodeFlags(context.root)),
      path.join(context.root, 'packages/cli/bin/run.js'),
      'watch',
      '-c',
      file,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SENTRY_GIT_REPLICA: replica } },
  );
  context.children.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = once(child, 'exit').then(() => {
    context.children.delete(child);
    log.end();
  });
  // The start line names the server's URL (`"url":"http://127.0.0.1:<port>"`).
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen = (seen + chunk).slice(-4096);
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(seen);
      if (match) {
        child.stderr.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`replica ${replica} exited (${code}) while starting`)));
  });
  return { replica, child, exited, url };
}

async function stopReplica(running) {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
  await running.exited;
  clearTimeout(timer);
}

/** The figures of one replica's /metrics this scenario reads. */
async function scrape(running) {
  const text = await (await fetch(`${running.url}/metrics`)).text();
  const value = (pattern) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    polled: value(/^sentry_git_replica_polled_repositories\{[^}]*\} (\S+)$/m),
    live: value(/^sentry_git_replicas_live\{[^}]*\} (\S+)$/m),
    polls: value(/^sentry_git_polls_total (\S+)$/m),
  };
}

/**
 * For 1 and 3 replicas in turn (`--replica-counts`): start them on a fresh database, wait until
 * the shares have settled (every repository held once, none above its fair share) and each
 * replica has polled its share once since, then measure until each has polled its share
 * `replicaCycles` times more: its polls per second, the time it takes to poll its share once,
 * its CPU per poll, and the forge's requests in all.
 */
export async function runReplicas(context) {
  const { options, forge } = context;
  const { startPostgres } = await import(context.bundle);
  const cluster = await startPostgres();
  const count = Math.max(10, Math.round(options.replicaRepositories * options.scale));
  const results = [];
  try {
    const served = await forge.call('startForge', {
      kind: 'gitea',
      count,
      latency: options.latency,
      token: context.token,
    });
    for (const replicas of options.replicaCounts) {
      const url = await cluster.createDatabase(`replicas_${replicas}`);
      const label = `replicas-${replicas}`;
      const { dir, file } = await writeConfig(context, label, {
        count,
        apiUrl: served.apiUrl,
        interval: options.replicaInterval,
        url,
      });
      const running = await Promise.all(
        Array.from({ length: replicas }, (_, i) =>
          startReplica(context, { dir, file, replica: `${label}-r${i + 1}` }),
        ),
      );
      try {
        const share = Math.ceil(count / replicas);
        const settleDeadline = nowMs() + 600_000;
        // Settled: every repository held by one replica, none above its share.
        for (;;) {
          const figures = await Promise.all(running.map(scrape));
          const held = figures.reduce((sum, f) => sum + (Number.isFinite(f.polled) ? f.polled : 0), 0);
          if (held === count && figures.every((f) => f.polled <= share && f.live === replicas)) break;
          if (nowMs() > settleDeadline) throw new Error(`${label}: the poll leases did not settle in 600 s`);
          await sleep(500);
        }
        const settled = await Promise.all(running.map(scrape));
        // Every replica polls its share once more after settling before the window opens.
        for (;;) {
          const now = await Promise.all(running.map(scrape));
          if (now.every((f, i) => f.polls >= settled[i].polls + settled[i].polled)) break;
          await sleep(500);
        }
        await forge.call('stats');
        const start = await Promise.all(running.map(scrape));
        const cpu0 = await Promise.all(running.map((r) => cpuMsOf(r.child.pid)));
        const at0 = nowMs();
        let requests = 0;
        for (;;) {
          requests += (await forge.call('stats')).requests;
          const now = await Promise.all(running.map(scrape));
          if (now.every((f, i) => f.polls >= start[i].polls + start[i].polled * options.replicaCycles)) break;
          await sleep(500);
        }
        requests += (await forge.call('stats')).requests;
        const windowSeconds = (nowMs() - at0) / 1000;
        const end = await Promise.all(running.map(scrape));
        const cpu1 = await Promise.all(running.map((r) => cpuMsOf(r.child.pid)));
        const memory = await Promise.all(running.map((r) => memoryOf(r.child.pid)));
        const perReplica = running.map((r, i) => {
          const polls = end[i].polls - start[i].polls;
          const pollsPerSecond = polls / windowSeconds;
          return {
            replica: r.replica,
            repositories: end[i].polled,
            requestsPerRound: end[i].polled * EXACT_BRANCHES.length,
            polls,
            pollsPerSecond: round(pollsPerSecond, 1),
            // How long it takes this replica to poll every repository it holds once.
            roundSeconds: round(end[i].polled / pollsPerSecond, 2),
            cpuSeconds: round((cpu1[i] - cpu0[i]) / 1000, 2),
            cpuMsPerPoll: round((cpu1[i] - cpu0[i]) / polls, 3),
            peakRssMB: round(memory[i].peakRssBytes / MB, 1),
          };
        });
        const result = {
          replicas,
          repositories: count,
          pollingInterval: options.replicaInterval,
          latencyMs: options.latency,
          rounds: options.replicaCycles,
          windowSeconds: round(windowSeconds, 1),
          forgeRequests: requests,
          forgeRequestsPerSecond: round(requests / windowSeconds, 1),
          slowestRoundSeconds: Math.max(...perReplica.map((r) => r.roundSeconds)),
          // Every repository once, by all the replicas together.
          allRepositoriesSeconds: round((count * EXACT_BRANCHES.length) / (requests / windowSeconds), 2),
          perReplica,
        };
        console.log(
          `  ${replicas} ${replicas === 1 ? 'replica' : 'replicas'}: ${perReplica
            .map(
              (r) =>
                `${r.replica} ${r.repositories} repositories (${r.requestsPerRound} requests) polled once in ${r.roundSeconds} s (${r.pollsPerSecond} polls/s, CPU ${r.cpuMsPerPoll} ms per poll)`,
            )
            .join(
              '; ',
            )}; the forge served ${result.forgeRequestsPerSecond} requests/s: all ${count} repositories in ${result.allRepositoriesSeconds} s`,
        );
        results.push(result);
      } finally {
        await Promise.all(running.map(stopReplica));
      }
    }
  } finally {
    await cluster.stop();
  }
  return results;
}
