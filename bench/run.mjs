#!/usr/bin/env node
// `pnpm bench`: the CLI's start-up time, then the engine against loopback fake forges at scale.
// See bench/README.md. Three processes for the engine: this one (orchestration, figures), the
// forge host (fake GitHub, Gitea and GitLab APIs, a git HTTP server, the repositories) and one
// engine host per scenario (the engine alone, so its CPU and RSS are what the figures say).
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDefaultRun, parseArgs, STARTUP, USAGE } from './lib/args.mjs';
import { bundleTestUtils } from './lib/bundle.mjs';
import { startHost } from './lib/children.mjs';
import { runCliSteady, runSoak } from './lib/cli-scenarios.mjs';
import { gitVersion } from './lib/git.mjs';
import { nowMs } from './lib/ipc.mjs';
import { runReplicas } from './lib/replica-scenario.mjs';
import { printTables } from './lib/report.mjs';
import { runQaClone, runScale, runStorm } from './lib/scenarios.mjs';
import { runStartup } from './lib/startup.mjs';
import { evaluateTargets } from './lib/targets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const PACKAGES = [
  'core',
  'provider-github',
  'provider-gitlab',
  'provider-gitea',
  'executor-shell',
  'state-sqlite',
  'server',
];

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const children = new Set();
let workDir = null;
let cleaning = null;

/** Ends the hosts this run started and removes its temporary folder; safe to call twice. */
function cleanup() {
  cleaning ??= (async () => {
    // Wait for them to go before removing the folder they work in (a git run could still write).
    await Promise.all(
      [...children].map((child) => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        return exited.finally(() => clearTimeout(timer));
      }),
    );
    if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

function ensureBuilt() {
  const missing = PACKAGES.filter((name) => !existsSync(path.join(root, 'packages', name, 'dist/index.js')));
  // The start-up figures are the built CLI's, with its oclif manifest (written by its build).
  if (options.only.includes(STARTUP) && !existsSync(path.join(root, 'packages/cli/oclif.manifest.json')))
    missing.push('cli');
  if (missing.length === 0) return;
  console.log(`bench: ${missing.join(', ')} not built yet; running pnpm build`);
  const built = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0)
    throw new Error('pnpm build failed: the bench needs the packages built (see above)');
}

async function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    git: await gitVersion(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    host: os.hostname().split('.')[0],
  };
}

function resultsFile(started) {
  if (options.out) return path.resolve(options.out);
  const date = started.toISOString().slice(0, 10);
  const host = os.hostname().split('.')[0];
  // A start-up-only run is a kind of its own: render.mjs takes the start-up figures from the
  // newest run that has them, the engine's from the newest full run.
  const startupOnly = options.only.length === 1 && options.only[0] === STARTUP;
  const partial = isDefaultRun(options) ? '' : '-partial';
  return path.join(here, 'results', `${date}-${host}${startupOnly ? '-startup' : partial}.json`);
}

async function runEngineScenarios(scenarios, description) {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'sentry-git-bench-'));
  const bundle = await bundleTestUtils(root, path.join(workDir, 'test-utils-forge.mjs'));
  const logs = path.join(workDir, 'logs');
  await mkdir(logs);

  const repoCount = Math.max(10, Math.round(5000 * options.scale));
  const context = {
    options,
    root,
    workDir,
    logs,
    children,
    packages: path.join(root, 'packages'),
    engineScript: path.join(here, 'engine-host.mjs'),
    bundle,
    token: 'bench-token-9c41e07d',
    webhookSecret: 'bench-webhook-secret-52aa',
  };
  console.log(
    `bench: latency ${options.latency} ms, scale ${options.scale}, ${repoCount} repositories, on ${description.cpuCount}× ${description.cpuModel}, node ${description.node}`,
  );

  const forge = await startHost({
    script: path.join(here, 'forge-host.mjs'),
    env: { BENCH_FORGE_BUNDLE: bundle },
    logFile: path.join(logs, 'forge-host.log'),
    children,
  });
  context.forge = forge;
  const setupStarted = nowMs();
  const data = await forge.call('setup', {
    root: path.join(workDir, 'data'),
    repos: repoCount,
    poolSize: 600,
    qaCommits: 1000,
  });
  context.data = data;
  console.log(
    `bench: ${data.repos} repositories and a ${data.qa.commits}-commit QA repository in ${Math.round(nowMs() - setupStarted)} ms`,
  );

  const results = { scale: [], storms: [], qa: null, cli: { steady: [], soak: null, replicas: [] } };
  for (const name of scenarios) {
    const [kind, shape] = name.split('-');
    console.log(`bench: ${name} …`);
    if (kind === 'storm') results.storms.push(await runStorm(context, shape));
    else if (kind === 'qa') results.qa = await runQaClone(context);
    else if (name === 'cli-steady') results.cli.steady = await runCliSteady(context);
    else if (name === 'cli-soak') results.cli.soak = await runSoak(context);
    else if (name === 'cli-replicas') results.cli.replicas = await runReplicas(context);
    else results.scale.push(await runScale(context, kind, shape));
  }
  await forge.call('shutdown').catch(() => {});
  await forge.stop();
  return results;
}

async function main() {
  const started = new Date();
  ensureBuilt();
  const description = await machine();
  const engineScenarios = options.only.filter((name) => name !== STARTUP);
  const repoCount = Math.max(10, Math.round(5000 * options.scale));
  const results = {
    startup: null,
    scale: [],
    storms: [],
    qa: null,
    cli: { steady: [], soak: null, replicas: [] },
  };
  if (options.only.includes(STARTUP)) {
    console.log(
      `bench: startup … (${options.startupRuns} runs of each command, on ${description.cpuCount}× ${description.cpuModel}, node ${description.node})`,
    );
    results.startup = await runStartup({ root, runs: options.startupRuns, warmup: 2, children });
  }
  if (engineScenarios.length > 0)
    Object.assign(results, await runEngineScenarios(engineScenarios, description));

  const report = {
    generatedAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: description,
    settings: {
      latencyMs: options.latency,
      scale: options.scale,
      scenarios: options.only,
      cycles: options.cycles,
      repositories: repoCount,
      pollConcurrency: options.concurrency,
      stormPollingInterval: options.stormInterval,
      startupRuns: options.startupRuns,
      cliSizes: options.cliSizes,
      cliCycles: options.cliCycles,
      cliInterval: options.cliInterval,
      soakMinutes: options.soakMinutes,
      soakRepos: options.soakRepos,
      soakInterval: options.soakInterval,
    },
    ...results,
  };
  report.targets = evaluateTargets(report);
  printTables(report);
  const file = resultsFile(started);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nbench: results written to ${path.relative(process.cwd(), file)}`);
  if (options.render) {
    execFileSync(process.execPath, [path.join(here, 'render.mjs')], { stdio: 'inherit', cwd: root });
  }
}

try {
  await main();
  await cleanup();
} catch (error) {
  console.error(`\nbench: FAILED: ${error.message}`);
  if (workDir) {
    for (const name of ['forge-host.log', 'engine-host.log']) {
      const text = await readFile(path.join(workDir, 'logs', name), 'utf8').catch(() => '');
      if (text.trim())
        console.error(`--- last lines of ${name} ---\n${text.trim().split('\n').slice(-30).join('\n')}`);
    }
  }
  await cleanup();
  process.exit(1);
}
