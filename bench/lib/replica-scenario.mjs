// Several `sentry-git watch` replicas on one PostgreSQL (a throw-away cluster, test-utils'
// startPostgres) against the fake Gitea: 1 replica, then 3, polling the same N repositories ×
// 2 exact branches as fast as they can. What scales is read from each replica's own /metrics (its
// share, `sentry_git_replica_polled_repositories`; its polls, `sentry_git_polls_total`) and /proc
// (CPU), and from the fake forge (its requests in all).
import { startWatch, stopWatch, writeConfig } from './cli-scenarios.mjs';
import { EXACT_BRANCHES } from './data.mjs';
import { nowMs } from './ipc.mjs';
import { cpuMsOf, memoryOf } from './proc.mjs';
import { round } from './stats.mjs';

const MB = 1024 * 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `sentry-git watch` as the image runs it, named `replica`, logging at info so that its start
 * line gives its server's URL (`"url":"http://127.0.0.1:<port>"`).
 */
async function startReplica(context, { dir, file, replica }) {
  const watch = await startWatch(context, {
    dir,
    file,
    label: replica,
    env: { SENTRY_GIT_REPLICA: replica },
    logLevel: 'info',
  });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen = (seen + chunk).slice(-4096);
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(seen);
      if (match) {
        watch.child.stderr.off('data', onData);
        resolve(match[1]);
      }
    };
    watch.child.stderr.on('data', onData);
    watch.child.once('exit', (code) =>
      reject(new Error(`replica ${replica} exited (${code}) while starting`)),
    );
  });
  return { ...watch, replica, url };
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
        state: { driver: 'postgres', url },
        // No jitter and no stretching while idle, and an interval shorter than a cycle: every
        // repository a replica holds is due again when its cycle ends, so every replica polls
        // as fast as it can.
        global: { jitter: 0, max_polling_interval: options.replicaInterval },
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
        await Promise.all(running.map(stopWatch));
      }
    }
  } finally {
    await cluster.stop();
  }
  return results;
}
