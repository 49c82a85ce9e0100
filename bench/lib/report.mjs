// The table `pnpm bench` prints: plain text, aligned, one block per kind of scenario.

function table(headers, rows) {
  const cells = [headers, ...rows].map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))),
  );
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export function printTables(report) {
  const { machine, settings } = report;
  console.log(
    `\n# sentry-git bench: ${machine.cpuCount}× ${machine.cpuModel}, ${Math.round(machine.totalMemoryBytes / 1024 ** 3)} GiB, ${machine.os}, node ${machine.node}, ${machine.git}`,
  );
  console.log(
    `# latency ${settings.latencyMs} ms, scale ${settings.scale}, poll_concurrency ${settings.pollConcurrency}\n`,
  );
  if (report.startup) {
    console.log(
      table(
        ['start-up (wall time, ms)', 'min', 'median', 'p90', 'max', 'target'],
        report.startup.commands.map((c) => [
          c.label,
          c.ms.min,
          c.ms.p50,
          c.ms.p90,
          c.ms.max,
          c.targetMs ? `< ${c.targetMs}` : '',
        ]),
      ),
    );
    console.log(
      `(${report.startup.runs} runs each after ${report.startup.warmup} warm-up runs; 1-minute load average ${report.startup.loadAverage.before} before, ${report.startup.loadAverage.after} after)\n`,
    );
  }
  if (report.scale.length) {
    const rows = [];
    for (const s of report.scale) {
      for (const [i, c] of s.cycles.entries()) {
        rows.push([
          i === 0 ? s.name : '',
          i === 0 ? s.heads : '',
          c.kind,
          c.wallSeconds,
          c.requests,
          c.notModified,
          c.quotaSpent,
          c.cpuSeconds,
          c.forgeCpuSeconds,
          i === 0 ? s.peakRssMB : '',
          c.errors,
        ]);
      }
    }
    console.log(
      table(
        [
          'scenario',
          'heads',
          'cycle',
          'wall s',
          'requests',
          '304s',
          'quota',
          'CPU s',
          'fake CPU s',
          'peak RSS MB',
          'errors',
        ],
        rows,
      ),
    );
  }
  if (report.storms.length) {
    console.log('');
    const ms = (d) => (d ? `${d.p50} / ${d.p99}` : '-');
    console.log(
      table(
        [
          'storm',
          'pushes',
          'detected',
          'deployed',
          'detection p50/p99 ms',
          'webhook→command p50/p99 ms',
          'change→command p50/p99 ms',
          'peak RSS MB',
        ],
        report.storms.flatMap((s) => [
          [
            s.name,
            s.pushes,
            s.detected,
            s.deployed,
            ms(s.detectionMs),
            ms(s.webhookToCommandMs),
            ms(s.changeToCommandMs),
            s.peakRssMB,
          ],
          ...(s.quiet
            ? [
                [
                  '  then one at a time',
                  s.quiet.pushes,
                  s.quiet.webhookToChangeMs.count,
                  s.quiet.webhookToCommandMs.count,
                  '-',
                  ms(s.quiet.webhookToCommandMs),
                  ms(s.quiet.changeToCommandMs),
                  '',
                ],
              ]
            : []),
        ]),
      ),
    );
  }
  if (report.qa) {
    const qa = report.qa;
    console.log('');
    console.log(
      table(
        ['QA checkout (1,000 commits)', 'fresh ms', 'cache first use ms', 'cached ms', 'cached/fresh'],
        [
          [
            'median of 5 jobs',
            qa.freshMs,
            qa.cacheFirstUseMs,
            qa.cachedMs,
            `${Math.round(qa.ratio * 1000) / 10} %`,
          ],
        ],
      ),
    );
  }
  printCli(report.cli);
  console.log('');
  console.log(
    table(
      ['target', 'status', 'measured'],
      report.targets.map((t) => [t.target, t.status, t.measured + (t.detail ? ` (${t.detail})` : '')]),
    ),
  );
}

function printCli(cli) {
  if (cli?.steady?.length) {
    console.log('');
    console.log(
      table(
        [
          'sentry-git watch (Gitea, 2 exact branches)',
          'requests',
          'window s',
          'CPU s',
          'CPU ms/request',
          'warm-up ms/request',
          '% of a core',
          'peak RSS MB',
          'KB/repo',
          'marginal KB/repo',
          'load',
        ],
        cli.steady.map((run) => [
          `${run.repositories} repositories, every ${run.pollingInterval} s`,
          run.requests,
          run.windowSeconds,
          run.cpuSeconds,
          run.cpuMsPerRequest,
          run.warmUpCpuMsPerRequest ?? '',
          run.cpuShareOfOneCore,
          run.peakRssMB,
          run.rssKBPerRepository,
          run.marginalKBPerRepository ?? '',
          `${run.loadAverage.before} → ${run.loadAverage.after}`,
        ]),
      ),
    );
  }
  if (cli?.soak) {
    const soak = cli.soak;
    console.log('');
    console.log(
      table(
        [
          'soak',
          'minutes',
          'requests',
          'RSS at ref. MB',
          'RSS at end MB',
          'growth',
          'max after MB',
          'CPU ms/request',
        ],
        [
          [
            `${soak.repositories} repositories every ${soak.pollingInterval} s`,
            soak.minutes,
            soak.requests,
            soak.rssAtReferenceMB,
            soak.rssAtEndMB,
            `${soak.growthPercent} %`,
            soak.maxRssAfterReferenceMB,
            soak.cpuMsPerRequest,
          ],
        ],
      ),
    );
    console.log(`(RSS by minute, MB: ${soak.rssByMinuteMB.join(', ')})`);
  }
  if (cli?.replicas?.length) {
    console.log('');
    console.log(
      table(
        [
          'replicas on PostgreSQL',
          'replica',
          'repositories',
          'polls/s',
          'share once s',
          'CPU ms/poll',
          'peak RSS MB',
          'forge requests/s',
          'all once s',
        ],
        cli.replicas.flatMap((run) =>
          run.perReplica.map((replica) => [
            `${run.replicas} × ${run.repositories} repositories, every ${run.pollingInterval} s`,
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
  }
}
