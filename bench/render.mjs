#!/usr/bin/env node
// Writes docs/benchmarks.md from bench/results: the engine's figures from the newest full results
// file (a partial run, from --scale or --only, is used only when there is no full one), the CLI's
// start-up figures from the newest file that has them (a full run or `--only startup`).
// `pnpm bench` runs it last.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_SCENARIOS } from './lib/args.mjs';
import { evaluateTargets, replicaTargets, startupTargets } from './lib/targets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, 'results');
const target = path.resolve(here, '../docs/benchmarks.md');

const hasEngineFigures = (report) =>
  report.scale?.length > 0 ||
  report.storms?.length > 0 ||
  Boolean(report.qa) ||
  report.cli?.steady?.length > 0 ||
  Boolean(report.cli?.soak) ||
  report.cli?.replicas?.length > 0;

/** The results file for the engine's sections and the one for the start-up section. */
async function newestResults() {
  const files = (await readdir(resultsDir).catch(() => [])).filter((name) => name.endsWith('.json'));
  const loaded = [];
  for (const name of files) {
    const report = JSON.parse(await readFile(path.join(resultsDir, name), 'utf8'));
    loaded.push({ name, report, partial: name.includes('-partial') });
  }
  const newestFirst = (a, b) => b.report.generatedAt.localeCompare(a.report.generatedAt);
  const engine = loaded
    .filter(({ report }) => hasEngineFigures(report))
    .sort((a, b) => Number(a.partial) - Number(b.partial) || newestFirst(a, b))[0];
  const startup = loaded.filter(({ report }) => report.startup).sort(newestFirst)[0];
  // The replicas' figures come from the newest run that has them, a partial one too (as start-up).
  const replicas = loaded.filter(({ report }) => report.cli?.replicas?.length > 0).sort(newestFirst)[0];
  return { engine, startup, replicas };
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;
const cell = (value) => (value === null || value === undefined ? '–' : String(value));
function table(headers, rows) {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}
const pair = (d) => (d ? `${cell(d.p50)} / ${cell(d.p99)}` : '–');

function describeMachine(machine) {
  return `${machine.cpuCount} × ${machine.cpuModel}, ${Math.round(machine.totalMemoryBytes / 1024 ** 3)} GiB, ${machine.os}, Node ${machine.node}`;
}

function renderStartup({ name, report }, out) {
  const { startup } = report;
  out.push('## Start-up time of the CLI');
  out.push('');
  out.push(
    `Wall time from starting \`node packages/cli/bin/run.js …\` to its exit, ${startup.runs} runs of each command after ${startup.warmup} warm-up runs, the commands taking turns. Run ${report.generatedAt} on ${describeMachine(report.machine)} (\`bench/results/${name}\`). \`validate\` reads \`examples/quickstart/sentry.yaml\` (a git repository, the shell executor, SQLite state)${startup.commands.some((c) => c.id === 'validate-large') ? '; the last row validates a generated file of 500 GitHub repositories whose `monitor` each merges one anchor of defaults (`<<: *defaults`), for what the size of a configuration adds' : ''}. Targets are judged on the median.${startup.loadAverage ? ` The machine's 1-minute load average was ${startup.loadAverage.before} before and ${startup.loadAverage.after} after the runs (${report.machine.cpuCount} cores; other work on the machine slows start-up accordingly).` : ''}`,
  );
  out.push('');
  out.push(
    table(
      ['command', 'min ms', 'median ms', 'p90 ms', 'max ms', 'target'],
      startup.commands.map((c) => [
        commandCell(c.label),
        c.ms.min,
        c.ms.p50,
        c.ms.p90,
        c.ms.max,
        c.targetMs ? `< ${c.targetMs} ms` : '',
      ]),
    ),
  );
  out.push('');
  out.push(
    "Where the rest goes: Node's own start (the first row); importing `@oclif/core` (about 0.1 s on a quiet core), which every command needs; for `validate`, `@sentry-git/core` (zod, cosmiconfig, the `yaml` parser, re2js, pino) and the plugins' registration code. No provider SDK, Kubernetes client, server or pretty logger is imported (`packages/cli/test/startup.test.ts` checks which modules load). Before they were loaded lazily and oclif read a manifest, a `bench/lib/startup.mjs` run on the same machine (load average 1.3 to 3.8) measured medians of 1,634 ms for `--version`, 1,665 ms for `--help` and 1,727 ms for `validate`, most of it importing `@kubernetes/client-node`, the server (fastify, prom-client) and the forge SDKs. The 500-repository file costs the YAML parse, the alias check and the schema's checks of every entry; before the alias check resolved each alias in one pass (it walked the whole document for every `*defaults`), the same row measured a median of 1,731 ms (load average 1.6).",
  );
  out.push('');
}

const NO_ENGINE_FIGURES = { scale: [], storms: [], qa: null, targets: [] };

/** A start-up label as a table cell: the command as code, a note in parentheses after it as text. */
function commandCell(label) {
  const [, command, note] = /^(.*?)( \(.*\))?$/.exec(label);
  return `\`${command}\`${note ?? ''}`;
}

function render({ engine, startup, replicas }) {
  const { name, report } = engine ?? { name: null, report: NO_ENGINE_FIGURES };
  const { machine, settings } = report;
  const out = [];
  out.push('# Benchmarks');
  out.push('');
  const sources = [...new Set([engine?.name, startup?.name, replicas?.name].filter(Boolean))]
    .map((file) => `bench/results/${file}`)
    .join(' and ');
  out.push(
    `<!-- Generated by bench/render.mjs from ${sources}; run \`pnpm bench\` to refresh. Do not edit by hand. -->`,
  );
  out.push('');
  out.push(
    'How fast the CLI starts, and how sentry-git behaves at scale: the engine (`createSentry` with the real GitHub, GitLab and Gitea providers, the SQLite state store, the shell executor and, for webhooks, the server package) polls loopback fake forges from `packages/test-utils` that speak the real wire formats (ETag/304, rate-limit headers, quota accounting). `pnpm bench` measures it; `bench/README.md` says how to run it and with which flags.',
  );
  out.push('');
  if (engine) {
    out.push('## Machine and settings');
    out.push('');
    out.push(
      `- Run: ${report.generatedAt} (${report.durationSeconds} s), results file \`bench/results/${name}\``,
    );
    out.push(
      `- CPU: ${machine.cpuCount} × ${machine.cpuModel}; memory ${Math.round(machine.totalMemoryBytes / 1024 ** 3)} GiB`,
    );
    out.push(`- OS: ${machine.os}; Node ${machine.node}; ${machine.git}`);
    out.push(
      `- Round-trip latency added by the fake forges: ${settings.latencyMs} ms; scale ${settings.scale} (${settings.repositories} repositories for the exact-branch runs)`,
    );
    out.push(
      `- Engine config: \`polling_interval: 60\`, \`global.poll_concurrency: ${settings.pollConcurrency}\`, \`global.poll_timeout: 30\`, \`state.driver: sqlite\`, one token per forge, silent logger; push storms with \`polling_interval: ${settings.stormPollingInterval}\``,
    );
    const engineScenarios = ENGINE_SCENARIOS.filter((scenario) => settings.scenarios.includes(scenario));
    if (settings.scale !== 1 || engineScenarios.length < ENGINE_SCENARIOS.length) {
      out.push('');
      out.push(
        `> A partial run (scale ${settings.scale}; scenarios: ${engineScenarios.join(', ')}): not the full \`pnpm bench\`.`,
      );
    }
    out.push('');
  }
  out.push('## Targets');
  out.push('');
  out.push(
    table(
      ['target', 'status', 'measured'],
      [
        ...startupTargets(startup?.report.startup),
        // Judged again with today's targets, so a results file from before a target existed shows
        // it as not measured rather than leaving it out.
        ...(engine ? evaluateTargets(report) : report.targets).filter(
          (t) => !t.id.startsWith('startup-') && t.id !== 'replicas-scale-out',
        ),
        ...replicaTargets(replicas?.report ?? report),
      ].map((t) => [t.target, `**${t.status}**`, t.measured + (t.detail ? ` (${t.detail})` : '')]),
    ),
  );
  out.push('');

  if (startup) renderStartup(startup, out);

  if (report.scale.length) {
    out.push('## Poll cycles at scale');
    out.push('');
    out.push(
      'Each scenario starts a fresh engine process with an empty state database, polls every repository once (the baseline: every head is new and recorded, nothing deploys), then polls again with nothing changed: first warm-up cycles until they add up to 10,000 requests (the not-modified path runs for the first time, V8 compiles it and collects what the baseline left; shown, not judged), then measured cycles until they add up to 10,000 requests too (and number at least `--cycles` − 2, 2 by default; each phase at most 20 cycles), whose mean the targets judge: an exact scenario warms up for 1 cycle (2 for GitLab) and measures 2, a regex one, whose cycle is 1,000 requests, 10 and 10. "regex" watches `release/.*` on 1,000 repositories with 10 such branches each; "exact" watches `main` and `develop` on 5,000 repositories. Both are 10,000 watched heads.',
    );
    out.push('');
    const rows = [];
    for (const s of report.scale) {
      for (const [i, c] of s.cycles.entries()) {
        rows.push([
          i === 0 ? `${s.name} (${s.repositories} × ${s.branchesPerRepository})` : '',
          c.kind,
          c.wallSeconds,
          c.requests,
          c.notModified,
          c.quotaSpent,
          c.cpuSeconds,
          c.forgeCpuSeconds,
          i === 0 ? s.peakRssMB : '',
          i === 0 ? s.modulesRssMB : '',
          c.errors,
        ]);
      }
    }
    out.push(
      table(
        [
          'scenario',
          'cycle',
          'wall s',
          'requests',
          '304s',
          'quota units',
          'engine CPU s',
          'fake forge CPU s',
          'engine peak RSS MB',
          'of which modules MB',
          'poll errors',
        ],
        rows,
      ),
    );
    out.push('');
  }

  if (report.storms.length) {
    out.push('## Push storms');
    out.push('');
    out.push(
      `${report.storms[0].pushes} pushes over ${report.storms[0].windowSeconds} s to distinct branches of ${report.storms[0].repositories} GitHub repositories (${report.storms[0].heads} watched heads) while the engine watches with polling on (\`polling_interval: ${report.storms[0].pollingInterval}\`). "poll": no webhooks, the scheduled polls find the pushes. "webhook": each push is announced by a signed GitHub push webhook to the server's \`/webhooks/github\`. After the webhook storm has drained, a few more pushes are announced one at a time (each waits for the previous deploy): the latency of a webhook that nothing queues behind. Times in milliseconds, p50 / p99.`,
    );
    out.push('');
    out.push(
      table(
        [
          'storm',
          'detected',
          'deployed',
          'push → change',
          'webhook → change',
          'webhook → first command',
          'change → first command',
          'engine peak RSS MB',
          'engine CPU s',
        ],
        report.storms.flatMap((s) => [
          [
            s.name,
            `${s.detected}/${s.pushes}`,
            `${s.deployed}/${s.pushes}`,
            pair(s.detectionMs),
            pair(s.webhookToChangeMs),
            pair(s.webhookToCommandMs),
            pair(s.changeToCommandMs),
            s.peakRssMB,
            s.cpuSeconds,
          ],
          ...(s.quiet
            ? [
                [
                  `${s.name}, then one at a time`,
                  `${s.quiet.webhookToChangeMs.count}/${s.quiet.pushes}`,
                  `${s.quiet.webhookToCommandMs.count}/${s.quiet.pushes}`,
                  '–',
                  pair(s.quiet.webhookToChangeMs),
                  pair(s.quiet.webhookToCommandMs),
                  pair(s.quiet.changeToCommandMs),
                  '',
                  '',
                ],
              ]
            : []),
        ]),
      ),
    );
    out.push('');
    const staged = report.storms.find((s) => s.quiet?.stagesMs);
    if (staged) {
      const stages = staged.quiet.stagesMs;
      out.push(
        `Where a one-at-a-time webhook's change → first command goes (p50 / p99): recording it and starting the run ${pair(stages.changeToRunStart)}, the run's and the job's state writes ${pair(stages.runStartToJobStart)}, the shell executor (job directory, wrapper, \`sh\` started and its process group recorded, then the commands' shell) ${pair(stages.jobStartToCommand)}.`,
      );
      out.push('');
    }
  }

  if (report.qa) {
    const qa = report.qa;
    out.push('## QA checkout: fresh clone vs QA cache');
    out.push('');
    out.push(
      `A QA repository of ${qa.commits} commits (${qa.files} files, ${Math.round(qa.treeBytes / 1024)} KiB checked out, ${Math.round(qa.packBytes / 1024)} KiB packed) served over ${qa.transport}. Time from the job's start to its first command, median of ${qa.jobs} jobs each. Fresh: ${qa.freshClone}. Cached: the executor's QA cache: ${qa.cachedCheckout}; its first job creates the mirror (shown apart). The fresh clone is shallow, so the history's length costs it nothing; the cache saves transfer only, which on loopback is cheap.`,
    );
    out.push('');
    out.push(
      table(
        ['fresh clone ms', 'cache first use ms', 'cached ms', 'cached / fresh'],
        [[qa.freshMs, qa.cacheFirstUseMs, qa.cachedMs, `${Math.round(qa.ratio * 1000) / 10} %`]],
      ),
    );
    out.push('');
  }

  renderCli(report.cli, out);
  renderReplicas(out, replicas);

  out.push('## What each figure is and how it is measured');
  out.push('');
  for (const line of [
    "- **Start-up time**: `bench/lib/startup.mjs` spawns `node packages/cli/bin/run.js` with each command and measures from the spawn to the exit event (Node's own start included; `node -e 0` shows that part). It measures the built CLI with its oclif manifest, as installed; the module tests in `packages/cli/test/startup.test.ts` check which modules each command loads.",
    "- **Processes.** `bench/run.mjs` orchestrates; the fake forges, the repositories and the git HTTP server run in a second process (the forge host); the engine runs alone in a third, one per scenario. Engine CPU and RSS are that process's own, reported over IPC.",
    '- **wall s**: time `sentry.pollOnce()` takes to poll every repository (the same poll as a scheduled cycle, with `global.poll_concurrency`).',
    '- **requests, 304s**: what the fake forge received during the cycle and how many it answered `304 Not Modified`. The fake GitLab and Gitea answer no conditional requests (like the real branch endpoints), so they have no 304s.',
    '- **quota units**: what the fake forge charged: GitHub charges every request except an authorized 304; GitLab (Rack::Attack) and Gitea (a quota proxy in front of it) charge every request.',
    '- **engine CPU s**: `process.cpuUsage()` (user + system) of the engine process across the cycle. The "< 5 % of one core" target divides an unchanged cycle\'s CPU seconds by the 60 s cycle period.',
    "- **fake forge CPU s**: the forge host's CPU in the same cycle, to show whether the fake, not the engine, was the bottleneck on this 2-core machine.",
    "- **engine peak RSS MB**: the larger of the engine process's sampled `memoryUsage().rss` (every 100 ms) and `resourceUsage().maxRSS` over its whole life. **of which modules** is its RSS right after importing core, the three providers, the SQLite store and the shell executor, before any repository is configured. Since the providers load their SDKs on first use (issue 10), that import no longer includes octokit, gitbeaker, gitea-js or better-sqlite3: results from before count them here, later ones in the peak only.",
    "- **push → change**: from the moment the fake's branch moved (`git update-ref`, then its read cache dropped) to the engine's `change` event. On the poll path this is dominated by where in the polling interval the push lands: the storm starts right after the engine starts watching, and a push that lands after its repository's poll waits for the next one, up to one interval (plus jitter) later, behind a cycle over all the storm's repositories.",
    '- **webhook → first command**: from sending the signed webhook to the first deploy command starting, as the command itself records it (`echo "$EPOCHREALTIME …" >> file`: bash builtins, no fork). No `qa_repo_url`, so no clone is included.',
    '- **change → first command**: from the `change` event to that command start: the state write, run queueing, job directory and shell start-up.',
    '- **QA checkout**: from the `job:start` event to the first command of a job with a `qa_repo_url`.',
    "- **CPU per poll request** (issue 11): process CPU time (user + system), not wall time, divided by the requests the fake forge served in the same window. For the engine scenarios it is the measured unchanged cycles' `process.cpuUsage()` over their requests (the warm-up cycles are shown beside them, not judged); for `sentry-git watch` it is `/proc/<pid>/stat` (utime + stime, 10 ms ticks) from the end of the warm-up cycle to the end of the last measured unchanged cycle, the idle time between cycles included, over the requests of those cycles. The 2-core machine is shared with the fake forge (and, while developing, other work): the load average is recorded beside each figure, and CPU figures rise with it.",
    "- **sentry-git watch** (the `cli-steady` and `cli-soak` scenarios): `node --no-memory-reducer packages/cli/bin/run.js watch -c sentry.yaml --port 0 --host 127.0.0.1 --log-level warn`, the way the container image runs it (its ENTRYPOINT's node flags, read from deploy/docker/Dockerfile; oclif, the config loader, the plugins, the server on; started without them, as an npm install runs `sentry-git watch`, the 5,000 × 2 run measured 0.396 and 0.433 ms per request at the same peak, decision 38), against the fake Gitea with the same added latency. The config is a Scheme C file: N repositories with `repo_type: gitea`, `branches: [main, develop]`, a token, `deploy.commands: [true]`, the SQLite store and every other key at its default (`global.poll_concurrency` 8). **peak RSS** is `/proc/<pid>/status` VmHWM at the end; **steady RSS** the median of the RSS samples (every 250 ms) over the measured unchanged cycles; **KB/repo** is that peak divided by the repositories; **marginal KB/repo** is the growth of the peak from the previous size divided by the repositories added, which leaves out what the process holds whatever the size.",
    '- **soak**: the same CLI run with 1,000 repositories polled every 5 s for 10 minutes (`--soak-minutes` shortens it). RSS is sampled from `/proc` every 250 ms. The growth compares the median RSS of the last 30 s with the median of the 30 s around minute 2 (a fifth of a shortened run); the highest sample after minute 2 is shown beside it.',
    "- **Making the fakes cheap without lying.** The watched repositories are real bare repositories that share one template's objects through `objects/info/alternates` (each has its own refs). The fakes get an opt-in read cache (`readCache` option, `createForgeReadCache()` in test-utils): branch lists are memoized per repository and dropped by the bench right after it moves a ref; a comparison of two SHAs is memoized for good (immutable objects), and the bench asks for it once before each push so the engine's comparison is not slowed by the fake running ten `git` commands; the fake GitLab shares commit data by SHA between projects (objects are content-addressed). Before a scenario's first cycle the bench fills the branch lists; repositories whose refs are stored byte-identically share one `git` read. Without the option the fakes read the repository on every request, as before.",
  ]) {
    out.push(line);
  }
  out.push('');
  out.push('## Known causes behind the figures');
  out.push('');
  const pollStorm = report.storms.find((storm) => storm.path === 'poll');
  const webhookStorm = report.storms.find((storm) => storm.path === 'webhook');
  if (pollStorm && webhookStorm && webhookStorm.detectionMs.p50 >= pollStorm.detectionMs.p50) {
    out.push(
      `- In this run the webhook storm detected pushes no sooner than polling alone (p50 ${webhookStorm.detectionMs.p50} ms vs ${pollStorm.detectionMs.p50} ms): the webhooks arrived faster than the engine finished their deploys, so they waited behind each other.`,
    );
  }
  for (const line of [
    "- GitHub requests go through octokit with `@octokit/plugin-throttling`, each client (API root and token) limited to `maxInFlight` requests in flight (default 50; results from before issue 11 had the plugin's 10, which put a floor of about 20 s on 10,000 probes at 20 ms per round trip). Since issue 11 the conditional probe of a literal branch skips octokit (its limiter, endpoint parsing, an error object for each 304, request logging: about a tenth of an unchanged exact cycle's CPU before); so do the pages of a comparison and, since the second CPU round, the pages of a branch list (octokit only after a 5xx or a network error); commit statuses still go through it.",
    '- The providers send their requests through `createPooledFetch()` (keep-alive undici pools per host); before issue 11 they used Node\'s fetch, which cost about three times the CPU per request on this machine (docs/decisions.md, "HTTP transport").',
    "- A webhook's poll does not wait for a scheduled cycle, and each unit is recorded as soon as its members are polled (overlapping polls are recorded in the order they started). What remains in a storm is mostly the fake forge: it serves every request from one Node process that also makes the pushes (`git update-ref`, and the comparison it asks for itself before each push: about eight `git` processes each, and Node's `spawn` blocks the process's event loop while it forks: 10 to 80 ms per spawn measured on this machine under load), so during the storm it used a whole core while the engine used 2 to 20 % of one (sampled from /proc), and answered about 10 requests a second. A webhook's poll that waits longer than `global.poll_timeout` (30 s) behind that fails, and its push then waits for the next scheduled poll after the failure backoff (about twice the 30 s interval): the storm's p99 is either under about 30 s (every webhook poll answered in time) or about 90 s (some did not), depending on how busy the machine is.",
    "- One webhook at a time depends on the length of the pushed range, not on the number of repositories: the bench's pushes move a branch along one chain of commits, so after the 200-push storm each push spans 200 and more commits, while a `--scale 0.1` run (20 pushes) pushes ranges of about 20. Before, the GitHub provider read the comparison page by page (100 commits a page: three sequential round trips at 1,000 repositories, one at 100), which is why 1,000 repositories measured p50 280 ms and 100 measured 102 ms. It now reads the first page (the files) and the last (the newest commit, which skip markers read): at most two requests.",
    "- Every detected change is compared (`before...after`) before it deploys (skip markers and path filters need it). For a webhook's poll the comparison is asked for at the same time as the branch probe (the webhook names the new head; it is used only when the probe confirms it), so it adds no round trip unless the range spans more than one page; a change found by a scheduled poll costs one more round trip. What is left of a webhook at a time is the probe (the 20 ms latency; the fake forge reads a pushed repository's branches before it sends the webhook, as a forge knows its branches when it accepts a push, so its own `git for-each-ref` is not in the figure) and the engine's dispatch (state writes, job directory, shell start: the change → first command column, split into its stages below the table). On a busy machine the dispatch is what stretches: each SQLite commit waits for its fsync (`synchronous = FULL`), and Node's `spawn` blocks the event loop until the child has started (`sh`, then `bash` for the commands), which waits for a free core.",
    "- About 68 MB of the engine's RSS is there after the imports (Node, core, the plugins' registration code; 80 MB before the SDKs were loaded on first use), and the providers' SDKs, SQLite and the server add theirs at the first poll; the rest grows with the number of repositories.",
    "- Memory is mostly not the JavaScript heap. In `sentry-git watch` (1,000 repositories every 5 s; smaps_rollup, `process.memoryUsage()`, heap snapshots a few minutes apart) about 50 MB is file-backed (the node binary's pages; `node -e 0` alone has 35 MB) and about 15 MB native; the rest is V8's heap, whose live objects were 34–51 MB. With V8's defaults the young generation grows to 2 × 16 MB and the old generation to about four times what survives a full collection, never given back while the process is busy: that, not a leak, was the earlier soak's growth (the snapshots differed by 4 MB, all of it 30 s `AbortSignal.timeout` timers, since replaced). `watch` now sets its heap for a long-running process (docs/decisions.md, \"Heap settings of watch\"; about 16–19 % more CPU, mostly young-generation collections). The engine scenarios above run `createSentry` in a plain Node process, without those settings, as an embedder would by default.",
    "- The peak of `sentry-git watch` at 5,000 repositories: the bench writes its generated configuration as JSON text (into `sentry.yaml`), which the YAML reader now reads with `JSON.parse` and a duplicate-key scan (docs/decisions.md #30) instead of the `yaml` parser's syntax tree and document (about 115 MB at once for this 1.7 MB file, the peak before). The process holds about 110 MB once the configuration is read; each poll cycle raises RSS by 10 to 15 MB (a cycle's short-lived objects promoted before a full collection) and idle time brings it back. The same 5,000 repositories written in block-style YAML (1.5 MB) still go through the `yaml` parser: a peak of about 161 MB in the first 3 s, then about 115 MB (measured once, not part of this table).",
    '- The fresh QA clone is shallow (`--depth 1`), so the 1,000 commits of history cost it nothing; the cached checkout still fetches over the network (to see whether the QA branch moved) before its local clone, so it saves transfer, not round trips.',
  ]) {
    out.push(line);
  }
  out.push('');
  return `${out.join('\n')}`;
}

function renderCli(cli, out) {
  if (cli?.steady?.length) {
    out.push('## sentry-git watch in steady state');
    out.push('');
    out.push(
      `\`sentry-git watch\` as the container image runs it (node with the image's \`--no-memory-reducer\`; server on, SQLite store, shell executor), N Gitea repositories × 2 exact branches (\`main\`, \`develop\`), \`polling_interval: ${cli.steady[0].pollingInterval}\`, against the fake Gitea. After the baseline cycle and a warm-up unchanged cycle (its CPU per request is shown, not judged), ${cli.steady[0].cycles} unchanged cycle${cli.steady[0].cycles === 1 ? ' is' : 's are'} measured: CPU time of the process over the window (idle time between cycles included) per request served, and memory.`,
    );
    out.push('');
    out.push(
      table(
        [
          'repositories',
          'heads',
          'requests',
          'window s',
          'CPU s',
          'CPU ms per request',
          'warm-up cycle CPU ms per request',
          '% of one core',
          'peak RSS MB',
          'steady RSS MB',
          'KB per repository',
          'marginal KB per repository',
          'load average',
        ],
        cli.steady.map((run) => [
          run.repositories,
          run.heads,
          run.requests,
          run.windowSeconds,
          run.cpuSeconds,
          run.cpuMsPerRequest,
          run.warmUpCpuMsPerRequest ?? '–',
          run.cpuShareOfOneCore,
          run.peakRssMB,
          run.steadyRssMB ?? '–',
          run.rssKBPerRepository,
          run.marginalKBPerRepository,
          `${run.loadAverage.before} → ${run.loadAverage.after}`,
        ]),
      ),
    );
    out.push('');
  }
  if (cli?.soak) {
    const soak = cli.soak;
    out.push('## A long watch');
    out.push('');
    out.push(
      `\`sentry-git watch\` with ${soak.repositories} Gitea repositories × 2 exact branches polled every ${soak.pollingInterval} s for ${soak.minutes} minute${soak.minutes === 1 ? '' : 's'} (${soak.requests} requests, ${soak.failedRequests} failed). RSS by minute (MB): ${soak.rssByMinuteMB.map(cell).join(', ')}.`,
    );
    out.push('');
    out.push(
      table(
        [
          `RSS at minute ${soak.referenceMinute} MB`,
          'RSS at the end MB',
          'growth',
          `highest after minute ${soak.referenceMinute} MB`,
          'peak RSS MB',
          'CPU ms per request',
          'load average',
        ],
        [
          [
            soak.rssAtReferenceMB,
            soak.rssAtEndMB,
            `${soak.growthPercent} %`,
            soak.maxRssAfterReferenceMB,
            soak.peakRssMB,
            soak.cpuMsPerRequest,
            `${soak.loadAverage.before} → ${soak.loadAverage.after}`,
          ],
        ],
      ),
    );
    out.push('');
  }
}

function renderReplicas(out, source) {
  const cli = source?.report.cli;
  if (!cli?.replicas?.length) return;
  out.push('## Replicas on one PostgreSQL');
  out.push('');
  out.push(
    `From \`bench/results/${source.name}\` (${source.report.generatedAt}, \`--only ${source.report.settings.scenarios.join(',')}\`).`,
  );
  out.push('');
  out.push(
    `\`sentry-git watch\` replicas sharing a PostgreSQL state (a throw-away cluster on a unix socket, the tests' own) and the fake Gitea: ${cli.replicas[0].repositories} repositories × 2 exact branches, \`polling_interval\` ${cli.replicas[0].pollingInterval} s with no jitter and no stretching while idle, shorter than a cycle: every repository a replica holds is due again when its cycle ends, so every replica polls as fast as it can, \`poll_concurrency\` 8, ${cli.replicas[0].latencyMs} ms of latency per answer. After the leases settled and every replica polled its share once more, the window runs until each has polled its share ${cli.replicas[0].rounds} more times: **polls/s** from its own \`/metrics\` (\`sentry_git_polls_total\`), **share once** its share (\`sentry_git_replica_polled_repositories\`) divided by that rate, **CPU ms/poll** from /proc; **forge requests/s** is every request the fake served in the window, **all once** the time to poll all repositories once at that rate (two requests each).`,
  );
  out.push('');
  out.push(
    table(
      [
        'replicas',
        'replica',
        'repositories polled',
        'polls/s',
        'share once s',
        'CPU ms/poll',
        'peak RSS MB',
        'forge requests/s',
        'all once s',
      ],
      cli.replicas.flatMap((run) =>
        run.perReplica.map((replica) => [
          run.replicas,
          replica.replica,
          replica.repositories,
          replica.pollsPerSecond,
          replica.roundSeconds,
          replica.cpuMsPerPoll,
          replica.peakRssMB,
          run.forgeRequestsPerSecond,
          run.allRepositoriesSeconds,
        ]),
      ),
    ),
  );
  out.push('');
  const one = cli.replicas.find((run) => run.replicas === 1);
  const three = cli.replicas.find((run) => run.replicas === 3);
  if (one && three) {
    const rate = (run) => run.perReplica.reduce((sum, r) => sum + r.pollsPerSecond, 0);
    out.push(
      `Three replicas polled ${round(rate(three) / rate(one), 2)} × as many repositories per second as one (${round(rate(three), 1)} against ${round(rate(one), 1)}), and each polled its third in ${Math.max(...three.perReplica.map((r) => r.roundSeconds))} s at most, against ${one.perReplica[0].roundSeconds} s for one replica polling all. Not 3 ×: the three replicas, PostgreSQL and the fake forge share the machine's ${source.report.machine.cpuCount} cores. Each repository was held by one replica (the shares add up to the repositories, none above its third).`,
    );
    out.push('');
  }
}

const newest = await newestResults();
if (!newest.engine && !newest.startup) {
  console.error('render: no results in bench/results yet: run `pnpm bench` first');
  process.exit(1);
}
await writeFile(target, render(newest));
const sources = [newest.engine?.name, newest.startup?.name].filter(Boolean);
console.log(
  `render: ${path.relative(process.cwd(), target)} written from ${[...new Set(sources)].map((name) => `bench/results/${name}`).join(' and ')}`,
);
