// The packages as a user gets them: `pnpm pack` every public package (pnpm rewrites the
// `workspace:` ranges), `npm install` the tarballs into an empty project outside the workspace
// (third-party dependencies come from the npm registry; better-sqlite3 compiles), then use the
// installed CLI and libraries there. Slow (the native build alone takes about a minute): it has
// its own timeout.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GIT_TEST_ENV, gitdir, tempdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const INSTALL_TIMEOUT = 600_000;

interface Packed {
  name: string;
  tarball: string;
}

/** Every workspace package without `"private": true`, packed into `destination`. */
function packPublicPackages(destination: string): Packed[] {
  const packagesDir = path.join(ROOT, 'packages');
  const packed: Packed[] = [];
  for (const entry of readdirSync(packagesDir)) {
    const folder = path.join(packagesDir, entry);
    const manifestFile = path.join(folder, 'package.json');
    if (!existsSync(manifestFile)) continue;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { name: string; private?: boolean };
    if (manifest.private === true) continue;
    if (!existsSync(path.join(folder, 'dist')))
      throw new Error(`${manifest.name} is not built (${folder}/dist is missing): run \`pnpm build\` first.`);
    const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
      cwd: folder,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    packed.push({ name: manifest.name, tarball: (JSON.parse(out) as { filename: string }).filename });
  }
  return packed;
}

let root: string | undefined;
let project: string;
let packed: Packed[];
const userEnv = { ...GIT_TEST_ENV, NO_COLOR: '1' };

/** Runs a command inside the installed project, without the workspace's bins on PATH. */
function inProject(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  return execa(command, args, {
    cwd: options.cwd ?? project,
    env: { ...userEnv, ...options.env },
    extendEnv: true,
    preferLocal: false,
    reject: false,
    timeout: 120_000,
  });
}

describe('packed install', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sentry-git-packed-'));
    const tarballs = path.join(root, 'tarballs');
    project = path.join(root, 'project');
    await mkdir(tarballs);
    await mkdir(project);
    packed = packPublicPackages(tarballs);
    const specs = Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${tarball}`]));
    // `overrides` makes every nested `@sentry-git/*` dependency the local tarball too: none may
    // come from the registry or from the workspace.
    await writeFile(
      path.join(project, 'package.json'),
      `${JSON.stringify({ name: 'packed-install', private: true, type: 'module', dependencies: specs, overrides: specs }, null, 2)}\n`,
    );
    const install = await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      env: { npm_config_nodedir: '/usr', npm_config_update_notifier: 'false' },
      reject: false,
      timeout: INSTALL_TIMEOUT,
      all: true,
    });
    if (install.exitCode !== 0)
      throw new Error(
        `npm install of the packed tarballs failed (exit ${install.exitCode}):\n${install.all}`,
      );
  }, INSTALL_TIMEOUT + 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('installs every package as a real copy inside the project, nothing linked to the workspace', async () => {
    expect(packed.map((p) => p.name)).toContain('@sentry-git/cli');
    for (const { name } of packed) {
      const installed = path.join(project, 'node_modules', name);
      expect((await lstat(installed)).isSymbolicLink(), `${name} is a symlink`).toBe(false);
      expect(realpathSync(installed).startsWith(`${realpathSync(project)}${path.sep}`)).toBe(true);
      const manifest = readFileSync(path.join(installed, 'package.json'), 'utf8');
      expect(manifest).not.toContain('workspace:');
    }
    // One copy of each: no nested @sentry-git/* under another package's node_modules.
    const nested = execFileSync(
      'find',
      ['node_modules', '-mindepth', '2', '-path', '*/node_modules/@sentry-git'],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    expect(nested.trim()).toBe('');
  });

  it('runs the installed `sentry-git` bin through npx', async () => {
    const help = await inProject('npx', ['--no-install', 'sentry-git', '--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stderr).not.toMatch(/error/i);
    expect(help.stdout).toMatch(/watch/);
    expect(help.stdout).toMatch(/trigger/);
  });

  it('ships the oclif manifest, current for the installed build (no stale-manifest warning)', async () => {
    const installed = path.join(project, 'node_modules', '@sentry-git', 'cli');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>;
    };
    expect(Object.keys(manifest.commands).sort()).toEqual(
      [
        'cancel',
        'deploy',
        'logs',
        'migrate',
        'pause',
        'plan',
        'rerun',
        'resume',
        'runs',
        'schema',
        'state:export',
        'state:import',
        'status',
        'trigger',
        'validate',
        'watch',
      ].sort(),
    );
    const version = await inProject(path.join(project, 'node_modules', '.bin', 'sentry-git'), ['--version']);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stderr).toBe('');
  });

  it('watch --once records a baseline, then deploys a pushed commit (state in SQLite)', async () => {
    const remote = await gitdir({ branches: ['main'] });
    await remote.commit('main');
    const dir = await tempdir();
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `polling_interval: 1
global: { tmp_dir: ./jobs }
state: { path: ./state.db }
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: ["main"] }
    deploy:
      commands: ['echo "$SENTRY_BRANCH $SENTRY_COMMIT" >> "$DEPLOY_LOG"']
`,
    );
    const bin = path.join(project, 'node_modules', '.bin', 'sentry-git');
    const env = { DEPLOY_LOG: path.join(dir, 'deploys.log') };
    const baseline = await inProject(bin, ['watch', '--once'], { cwd: dir, env });
    expect(baseline.exitCode, baseline.stderr).toBe(0);
    expect(existsSync(env.DEPLOY_LOG)).toBe(false);

    const sha = await remote.commit('main');
    const deploy = await inProject(bin, ['watch', '--once'], { cwd: dir, env });
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    expect(readFileSync(env.DEPLOY_LOG, 'utf8')).toBe(`main ${sha}\n`);
    expect(existsSync(path.join(dir, 'state.db'))).toBe(true);

    const runs = await inProject(bin, ['runs', '--json'], { cwd: dir });
    expect(runs.exitCode, runs.stderr).toBe(0);
    const parsed = JSON.parse(runs.stdout) as Array<{ status: string; jobs: Array<{ sha: string }> }>;
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ status: 'succeeded', jobs: [{ sha }] });
  });

  it('a script imports @sentry-git/core and @sentry-git/executor-shell from the project and deploys', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const sha = await remote.commit('main');
    const script = path.join(project, 'embed.mjs');
    await writeFile(
      script,
      `import { createSentry } from '@sentry-git/core';
import executorShell, { createShellExecutor } from '@sentry-git/executor-shell';
import providerGit from '@sentry-git/provider-git';

const resolved = Object.fromEntries(
  ['@sentry-git/core', '@sentry-git/core/testing', '@sentry-git/executor-shell', '@sentry-git/provider-git'].map(
    (name) => [name, import.meta.resolve(name)],
  ),
);
const sentry = await createSentry({
  config: {
    repositories: [{ name: 'app', monitor: { repo_url: process.argv[2], branches: ['main'] }, deploy: { commands: ['echo "deployed $SENTRY_COMMIT"'] } }],
    global: { tmp_dir: process.argv[3] },
    state: { driver: 'memory' },
  },
  configDir: import.meta.dirname,
  plugins: [providerGit, executorShell],
  env: {},
});
let output = '';
sentry.on('job:output', ({ text }) => { output += text; });
const runs = await sentry.trigger({ repositories: ['app'] });
const [run] = await sentry.waitForRuns(runs.map((r) => r.id));
await sentry.close();
console.log(JSON.stringify({ resolved, factory: typeof createShellExecutor, status: run.status, sha: run.jobs[0].sha, output }));
`,
    );
    const jobs = await tempdir();
    const result = await inProject('node', [script, remote.bare, jobs]);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      resolved: Record<string, string>;
      factory: string;
      status: string;
      sha: string;
      output: string;
    };
    expect(report).toMatchObject({ factory: 'function', status: 'succeeded', sha });
    expect(report.output).toContain(`deployed ${sha}`);
    const modules = `file://${realpathSync(project)}/node_modules/`;
    for (const [name, url] of Object.entries(report.resolved)) {
      expect(
        url.startsWith(`${modules}${name.split('/').slice(0, 2).join('/')}/dist/`),
        `${name} -> ${url}`,
      ).toBe(true);
    }
  });
});
