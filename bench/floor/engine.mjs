// `node bench/floor/engine.mjs [repositories] [cycles] [packages-dir]`: what the engine itself
// costs per poll, without HTTP. createSentry (SQLite store, shell executor) watches N
// repositories × 2 branches of a provider that answers from memory after a 20 ms timer, 32 polls
// in flight, as the bench's exact scenarios; after a baseline and a warm-up cycle, prints each
// unchanged cycle's CPU per poll, the collections it took (young generation and full), and what
// the main thread and V8's helper threads spent. Needs `pnpm build`; `packages-dir` (default
// this tree's packages/) lets two trees be compared, one after the other.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [countArg = '5000', cyclesArg = '8', packagesArg] = process.argv.slice(2);
const count = Number(countArg);
const cycles = Math.max(3, Number(cyclesArg));
const packages = packagesArg ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages');
const load = (name) => import(pathToFileURL(path.join(packages, name, 'dist/index.js')).href);
const { createSentry, definePlugin } = await load('core');
const { default: stateSqlite } = await load('state-sqlite');
const { createShellExecutor } = await load('executor-shell');

const SHA = 'a'.repeat(40);
const heads = [
  { branch: 'main', sha: SHA },
  { branch: 'develop', sha: SHA },
];
const provider = {
  id: 'memory-forge',
  capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
  async listHeads(_target, { match, signal }) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    signal.throwIfAborted();
    return { heads: heads.filter((head) => match(head.branch)) };
  },
};

const work = mkdtempSync(path.join(os.tmpdir(), 'sentry-git-floor-engine-'));
const sentry = await createSentry({
  config: {
    polling_interval: 60,
    repositories: Array.from({ length: count }, (_, index) => ({
      name: `repo-${index}`,
      monitor: {
        repo_url: `https://forge.invalid/bench/repo-${index}.git`,
        repo_type: 'memory-forge',
        branches: ['main', 'develop'],
      },
      deploy: { commands: ['true'] },
    })),
    global: { tmp_dir: path.join(work, 'jobs'), poll_concurrency: 32, poll_timeout: 30 },
    state: { driver: 'sqlite', path: path.join(work, 'state.db') },
  },
  configDir: work,
  plugins: [
    definePlugin({ name: 'memory-forge', providers: [provider] }),
    definePlugin({ name: 'shell', executors: [createShellExecutor()] }),
    stateSqlite,
  ],
  loadPlugins: false,
  owner: 'floor',
});

/** CPU ticks (1/100 s) per thread of this process: the main thread is the one with our pid. */
function threadTicks() {
  const ticks = new Map();
  for (const id of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(id, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ticks;
}

const collections = { minor: 0, major: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) collections.minor += 1;
    else if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.major += 1;
  }
});
observer.observe({ entryTypes: ['gc'] });

const measured = [];
let ticksBefore;
for (let cycle = 0; cycle < cycles; cycle += 1) {
  if (cycle === 2) ticksBefore = threadTicks();
  collections.minor = 0;
  collections.major = 0;
  const cpu = process.cpuUsage();
  const result = await sentry.pollOnce();
  const used = process.cpuUsage(cpu);
  // The observer hears of the cycle's last collections on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  const perPoll = (used.user + used.system) / count;
  const kind = cycle === 0 ? 'baseline' : cycle === 1 ? 'warm-up' : 'unchanged';
  if (cycle >= 2) measured.push(perPoll);
  console.log(
    `${kind.padEnd(9)} ${String(result.checked).padStart(5)} polls, ${perPoll.toFixed(1).padStart(6)} µs CPU per poll, ` +
      `${collections.minor} young-generation and ${collections.major} full collections`,
  );
}
const ticksAfter = threadTicks();
let main = 0;
let helpers = 0;
for (const [id, ticks] of ticksAfter) {
  const spent = ticks - (ticksBefore.get(id) ?? 0);
  if (id === String(process.pid)) main += spent;
  else helpers += spent;
}
const mean = measured.reduce((sum, value) => sum + value, 0) / measured.length;
const polls = measured.length * count;
console.log(
  `unchanged cycles: mean ${mean.toFixed(1)} µs per poll; main thread ${((main * 10_000) / polls).toFixed(1)} µs, ` +
    `other threads ${((helpers * 10_000) / polls).toFixed(1)} µs (from /proc, 10 ms ticks)`,
);
observer.disconnect();
await sentry.close({ graceMs: 0 });
rmSync(work, { recursive: true, force: true });
process.exit(0);
