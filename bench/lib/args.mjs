/** The start-up part: `--version`, `--help` and `validate` of the CLI (lib/startup.mjs). */
export const STARTUP = 'startup';

/** The engine's scenarios, against the fake forges. */
export const ENGINE_SCENARIOS = [
  'github-regex',
  'github-exact',
  'gitea-regex',
  'gitea-exact',
  'gitlab-regex',
  'gitlab-exact',
  'storm-poll',
  'storm-webhook',
  'qa-clone',
  'cli-steady',
  'cli-soak',
  'cli-replicas',
];

export const SCENARIOS = [STARTUP, ...ENGINE_SCENARIOS];

export const USAGE = `Usage: pnpm bench [-- options]

  --latency <ms>         round-trip latency the fake forges add to every answer (default 20)
  --scale <factor>       repositories (and storm pushes) times this factor (default 1; 0.1 for a quick try)
  --only <a,b,...>       run only these scenarios: ${SCENARIOS.join(', ')}
                         (also the prefixes github, gitea, gitlab, storm); --only startup times the
                         CLI's start-up alone, in under a minute
  --startup-runs <n>     timed runs of each start-up command (default 20, after 2 warm-up runs)
  --cycles <n>           poll cycles per scale scenario: a baseline, a warm-up unchanged cycle, then the
                         measured unchanged ones (default 4, at least 3); warm-up and measured cycles
                         each go on until they add up to 10,000 requests (at most 20 cycles each)
  --storm-interval <s>   polling_interval during the push storms (default 30)
  --concurrency <n>      global.poll_concurrency (default 32)
  --cli-sizes <a,b,..>   repositories of the cli-steady runs (default 200,1000,5000; times --scale)
  --cli-cycles <n>       unchanged cycles measured per cli-steady size, after a warm-up one (default 2)
  --cli-interval <s>     polling_interval of the cli-steady runs (default 60)
  --soak-minutes <n>     length of cli-soak (default 10; shorter for a quick try)
  --soak-repos <n>       repositories of cli-soak (default 1000; times --scale)
  --soak-interval <s>    polling_interval of cli-soak (default 5)
  --replica-counts <a,b>  replicas of the cli-replicas runs, one run each (default 1,3)
  --replica-repos <n>    repositories of cli-replicas (default 5000; times --scale)
  --replica-interval <s> polling_interval of cli-replicas (default 1: every replica polls as fast as it can)
  --replica-cycles <n>   cycles of every replica measured per cli-replicas run (default 3)
  --profile <dir>        write CPU profiles into <dir>: each engine scenario's measured cycles, the
                         one-at-a-time webhooks, and each sentry-git watch run (node --cpu-prof)
  --allocations          with --profile: also a sampling profile of what the engine scenarios'
                         measured cycles allocate (garbage included) beside each CPU profile
  --heap-snapshot <dir>  write a heap snapshot of each engine scenario after its cycles into <dir>
  --out <file>           results file (default bench/results/<date>-<host>.json; partial runs get a suffix)
  --no-render            do not refresh docs/benchmarks.md
  --help                 this text`;

function number(name, text, { min = 0, integer = false } = {}) {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} needs a ${integer ? 'whole ' : ''}number ≥ ${min}, got ${text ?? 'nothing'}`);
  }
  return value;
}

export function parseArgs(argv) {
  const options = {
    latency: 20,
    scale: 1,
    only: [...SCENARIOS],
    cycles: 4,
    stormInterval: 30,
    concurrency: 32,
    startupRuns: 20,
    cliSizes: [200, 1000, 5000],
    cliCycles: 2,
    cliInterval: 60,
    soakMinutes: 10,
    soakRepos: 1000,
    soakInterval: 5,
    replicaCounts: [1, 3],
    replicaRepositories: 5000,
    replicaInterval: 1,
    replicaCycles: 3,
    profile: null,
    allocations: false,
    heapSnapshot: null,
    out: null,
    render: true,
    help: false,
  };
  const args = argv.filter((arg) => arg !== '--');
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--latency':
        options.latency = number('latency', value());
        break;
      case '--scale':
        options.scale = number('scale', value(), { min: 0.001 });
        if (options.scale > 1)
          throw new Error('--scale above 1 is not supported (the targets are for scale 1)');
        break;
      case '--cycles':
        options.cycles = number('cycles', value(), { min: 3, integer: true });
        break;
      case '--storm-interval':
        options.stormInterval = number('storm-interval', value(), { min: 1 });
        break;
      case '--concurrency':
        options.concurrency = number('concurrency', value(), { min: 1, integer: true });
        break;
      case '--startup-runs':
        options.startupRuns = number('startup-runs', value(), { min: 1, integer: true });
        break;
      case '--cli-sizes':
        options.cliSizes = (value() ?? '')
          .split(',')
          .map((size) => number('cli-sizes', size.trim(), { min: 1, integer: true }));
        break;
      case '--cli-cycles':
        options.cliCycles = number('cli-cycles', value(), { min: 1, integer: true });
        break;
      case '--cli-interval':
        options.cliInterval = number('cli-interval', value(), { min: 1, integer: true });
        break;
      case '--soak-minutes':
        options.soakMinutes = number('soak-minutes', value(), { min: 1, integer: true });
        break;
      case '--soak-repos':
        options.soakRepos = number('soak-repos', value(), { min: 1, integer: true });
        break;
      case '--soak-interval':
        options.soakInterval = number('soak-interval', value(), { min: 1, integer: true });
        break;
      case '--replica-counts':
        options.replicaCounts = (value() ?? '')
          .split(',')
          .map((size) => number('replica-counts', size.trim(), { min: 1, integer: true }));
        break;
      case '--replica-repos':
        options.replicaRepositories = number('replica-repos', value(), { min: 1, integer: true });
        break;
      case '--replica-interval':
        options.replicaInterval = number('replica-interval', value(), { min: 1, integer: true });
        break;
      case '--replica-cycles':
        options.replicaCycles = number('replica-cycles', value(), { min: 1, integer: true });
        break;
      case '--profile':
        options.profile = value();
        if (!options.profile) throw new Error('--profile needs a folder');
        break;
      case '--allocations':
        options.allocations = true;
        break;
      case '--heap-snapshot':
        options.heapSnapshot = value();
        if (!options.heapSnapshot) throw new Error('--heap-snapshot needs a folder');
        break;
      case '--out':
        options.out = value();
        break;
      case '--no-render':
        options.render = false;
        break;
      case '--only': {
        const wanted = (value() ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
        const picked = SCENARIOS.filter((name) =>
          wanted.some((want) => name === want || name.startsWith(`${want}-`)),
        );
        const unknown = wanted.filter(
          (want) => !SCENARIOS.some((name) => name === want || name.startsWith(`${want}-`)),
        );
        if (unknown.length > 0 || picked.length === 0) {
          throw new Error(
            `--only: unknown scenario ${unknown.join(', ') || '(none given)'}; known: ${SCENARIOS.join(', ')}`,
          );
        }
        options.only = picked;
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return options;
}

/** Settings a full run uses; a run with others is partial, like one with --scale or --only. */
export function isDefaultRun(options) {
  return (
    options.scale === 1 &&
    options.only.length === SCENARIOS.length &&
    options.cliSizes.join(',') === '200,1000,5000' &&
    options.cliCycles >= 2 &&
    options.cliInterval === 60 &&
    options.soakMinutes >= 10 &&
    options.soakRepos === 1000 &&
    options.soakInterval === 5 &&
    options.replicaCounts.join(',') === '1,3' &&
    options.replicaRepositories === 5000 &&
    options.replicaInterval === 1 &&
    options.replicaCycles >= 3
  );
}
