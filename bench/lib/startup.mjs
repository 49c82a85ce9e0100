// Start-up time of the built CLI: wall time from spawning `node packages/cli/bin/run.js …` to its
// exit, over repeated runs. Commands take turns (one round runs each once), so a burst of load
// elsewhere on the machine touches every command alike.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, round } from './stats.mjs';
import { STARTUP_TARGETS } from './targets.mjs';

const targetOf = (id) => STARTUP_TARGETS.find((target) => target.id === id)?.targetMs;

/** Repositories in the large configuration: a big fleet, every entry merging one anchor. */
export const LARGE_CONFIG_REPOSITORIES = 500;

/** A configuration as a big fleet writes it: one anchor of defaults merged into every repository. */
function largeConfig() {
  const lines = ['repositories:'];
  for (let i = 0; i < LARGE_CONFIG_REPOSITORIES; i += 1) {
    const defaults = i === 0 ? '&defaults { polling_interval: 60, branches: [main, develop] }' : '*defaults';
    lines.push(
      `  - name: app-${i}`,
      '    monitor:',
      `      <<: ${defaults}`,
      `      repo_url: https://github.com/example/app-${i}.git`,
      '    deploy: { commands: ["./deploy.sh"] }',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What is timed; a command with a target is judged on its median (see targets.mjs). */
export function startupCommands(root, largeConfigFile) {
  const bin = path.join(root, 'packages/cli/bin/run.js');
  const quickstart = path.join(root, 'examples/quickstart/sentry.yaml');
  return [
    { id: 'node', label: 'node -e 0 (Node alone, for reference)', argv: ['-e', '0'] },
    { id: 'version', label: 'sentry-git --version', argv: [bin, '--version'], targetMs: targetOf('version') },
    { id: 'help', label: 'sentry-git --help', argv: [bin, '--help'] },
    {
      id: 'validate',
      label: 'sentry-git validate -c examples/quickstart/sentry.yaml',
      argv: [bin, 'validate', '-c', quickstart],
      targetMs: targetOf('validate'),
    },
    {
      id: 'validate-large',
      label: `sentry-git validate -c large.yaml (${LARGE_CONFIG_REPOSITORIES} repositories, each merging one anchor: <<: *defaults)`,
      argv: [bin, 'validate', '-c', largeConfigFile],
    },
  ];
}

/** One run: milliseconds from spawn to exit; throws with its stderr when it does not exit 0. */
async function timeOnce(command, root, children) {
  const started = performance.now();
  const child = spawn(process.execPath, command.argv, {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code, signal] = await once(child, 'exit');
  const elapsed = performance.now() - started;
  children.delete(child);
  if (code !== 0)
    throw new Error(`${command.label} exited ${code ?? signal} during the start-up bench:\n${stderr.trim()}`);
  return elapsed;
}

export async function runStartup({ root, runs, warmup, children }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentry-git-bench-startup-'));
  try {
    const largeConfigFile = path.join(dir, 'large.yaml');
    await writeFile(largeConfigFile, largeConfig());
    return await timeCommands(startupCommands(root, largeConfigFile), { root, runs, warmup, children });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeCommands(commands, { root, runs, warmup, children }) {
  // Start-up time is mostly waiting for a core: on a shared machine the load says how to read it.
  const loadBefore = os.loadavg()[0];
  const samples = new Map(commands.map((command) => [command.id, []]));
  for (let round = 0; round < warmup + runs; round += 1) {
    for (const command of commands) {
      const ms = await timeOnce(command, root, children);
      if (round >= warmup) samples.get(command.id).push(ms);
    }
  }
  return {
    runs,
    warmup,
    loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
    commands: commands.map(({ id, label, targetMs }) => {
      const values = samples.get(id);
      return {
        id,
        label,
        ...(targetMs ? { targetMs } : {}),
        ms: {
          min: round(Math.min(...values), 0),
          p50: round(percentile(values, 50), 0),
          p90: round(percentile(values, 90), 0),
          max: round(Math.max(...values), 0),
        },
      };
    }),
  };
}
