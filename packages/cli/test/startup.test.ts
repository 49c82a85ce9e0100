// Start-up of the built CLI: which modules each command loads (observed, not timed), the oclif
// manifest, and signals that arrive while `watch` is still loading. Timings live in `pnpm bench`.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from './cli.js';

const PACKAGE_ROOT = path.resolve(__dirname, '..');
const TRACE_PRELOAD = pathToFileURL(path.join(__dirname, 'fixtures/module-trace.mjs')).href;
const CLI_INDEX = pathToFileURL(path.join(PACKAGE_ROOT, 'dist/index.js')).href;

/** What the first-party plugins, the server and the pretty logger load: never needed to start. */
const HEAVY = [
  '@kubernetes/client-node',
  '@octokit/rest',
  '@octokit/core',
  '@gitbeaker/rest',
  'gitea-js',
  'execa',
  'better-sqlite3',
  'fastify',
  'prom-client',
  'pino-pretty',
];

/** The npm package a module URL belongs to (the last node_modules segment), or null. */
function packageOf(url: string): string | null {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return match ? match[1]! : null;
}

interface Trace {
  urls: Set<string>;
  packages: Set<string>;
}

async function readTrace(file: string): Promise<Trace> {
  const urls = new Set((await readFile(file, 'utf8')).split('\n').filter(Boolean));
  const packages = new Set([...urls].map(packageOf).filter((name): name is string => name !== null));
  return { urls, packages };
}

/** Runs the built `sentry-git ...args` with the module trace preloaded. */
async function traced(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const traceFile = path.join(await tempdir(), 'modules.txt');
  const result = await cli(args, {
    cwd: options.cwd,
    env: { ...options.env, NODE_OPTIONS: `--import=${TRACE_PRELOAD}`, SENTRY_GIT_TRACE_FILE: traceFile },
  });
  return { result, trace: await readTrace(traceFile) };
}

function heavyIn(trace: Trace): string[] {
  return HEAVY.filter((name) => trace.packages.has(name));
}

/** Every first-party provider, the Tekton executor and the server, configured. */
const EVERY_ADAPTER = `polling_interval: 60
server: { port: 8080, token: "\${API_TOKEN}" }
repositories:
  - name: on-github
    monitor: { repo_url: https://github.com/acme/app.git, repo_type: github, branches: [main], auth: { token: "\${GITHUB_TOKEN}" } }
    deploy: { commands: ["true"] }
  - name: on-gitlab
    monitor: { repo_url: https://gitlab.com/acme/app.git, repo_type: gitlab, branches: [main], auth: { token: "\${GITLAB_TOKEN}" } }
    deploy: { commands: ["true"] }
  - name: on-gitea
    monitor: { repo_url: https://gitea.com/acme/app.git, repo_type: gitea, branches: [main], auth: { token: "\${GITEA_TOKEN}" } }
    deploy: { commands: ["true"] }
  - name: to-tekton
    monitor: { repo_url: ./app.git, branches: [main] }
    deploy:
      executor: tekton
      project_name: app
      tekton: { namespace: ci, pipeline_ref: deploy, params: { revision: "$(sentry.sha)" } }
`;
const TOKENS = {
  API_TOKEN: 'api-token-1',
  GITHUB_TOKEN: 'ghp_startup_1',
  GITLAB_TOKEN: 'glpat_startup_2',
  GITEA_TOKEN: 'gitea_startup_3',
};

describe('start-up: what a command loads', () => {
  it('--version and --help import no command module, no engine and no SDK', async () => {
    const cwd = await tempdir();
    for (const args of [['--version'], ['--help']]) {
      const { result, trace } = await traced(args, { cwd });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(trace.packages.has('@oclif/core'), 'the trace records modules').toBe(true);
      expect(trace.urls.has(CLI_INDEX), `${args[0]} imported the command modules`).toBe(false);
      expect([...trace.urls].filter((url) => url.includes('/packages/core/dist/'))).toEqual([]);
      expect(heavyIn(trace), args[0]).toEqual([]);
    }
  });

  it('validate of a config using every provider, the Tekton executor and the server imports no SDK', async () => {
    const cwd = await tempdir();
    await writeFile(path.join(cwd, 'sentry.yaml'), EVERY_ADAPTER);
    const { result, trace } = await traced(['validate'], { cwd, env: TOKENS });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('valid (4 repositories');
    expect(trace.urls.has(CLI_INDEX)).toBe(true);
    expect(heavyIn(trace)).toEqual([]);
  });

  it('a poll loads the SDK of the provider and executor it uses, and only those', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const cwd = await tempdir();
    await writeFile(
      path.join(cwd, 'sentry.yaml'),
      `repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: [main] }
    deploy: { commands: ["true"] }
global: { tmp_dir: ./jobs }
`,
    );
    const { result, trace } = await traced(['watch', '--once'], { cwd });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    // git ls-remote through execa, state in SQLite; no forge SDK, no cluster client, no server,
    // and JSON logs (stderr is no terminal here), so no pretty printer either.
    const loaded = heavyIn(trace);
    expect(loaded).toEqual(expect.arrayContaining(['execa', 'better-sqlite3']));
    for (const unused of [
      '@kubernetes/client-node',
      '@octokit/rest',
      '@gitbeaker/rest',
      'gitea-js',
      'fastify',
      'pino-pretty',
    ])
      expect(loaded).not.toContain(unused);
  });
});

describe('oclif manifest', () => {
  it('is generated by the build and describes every command exactly as the built classes do', async () => {
    const file = path.join(PACKAGE_ROOT, 'oclif.manifest.json');
    expect(existsSync(file), 'run `pnpm build`: it writes oclif.manifest.json').toBe(true);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
      version: string;
      commands: Record<string, { description?: string; flags: Record<string, { description?: string }> }>;
    };
    const pjson = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
      files: string[];
    };
    expect(pjson.files).toContain('oclif.manifest.json');
    expect(manifest.version).toBe(pjson.version);
    const { commands } = (await import(CLI_INDEX)) as {
      commands: Record<
        string,
        {
          description?: string;
          flags?: Record<string, { description?: string }>;
          baseFlags?: Record<string, { description?: string }>;
        }
      >;
    };
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(commands).sort());
    for (const [id, command] of Object.entries(commands)) {
      const listed = manifest.commands[id]!;
      expect(listed.description, id).toBe(command.description);
      const flags = { ...command.baseFlags, ...command.flags };
      expect(Object.keys(listed.flags).sort(), id).toEqual(Object.keys(flags).sort());
      for (const [name, flag] of Object.entries(flags)) {
        expect(listed.flags[name]!.description, `${id} --${name}`).toBe(flag.description);
      }
    }
  });
});

describe('signals while watch is loading', () => {
  async function watchedProject(): Promise<string> {
    const remote = await gitdir({ branches: ['main'] });
    const cwd = await tempdir();
    await writeFile(
      path.join(cwd, 'sentry.yaml'),
      `polling_interval: 1
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: [main] }
    deploy: { commands: ["true"] }
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
`,
    );
    return cwd;
  }

  /**
   * Starts `sentry-git ...args`, holds its start-up where it first imports oclif (everything else
   * of the CLI still to load), sends `signal` there, then lets start-up go on.
   */
  async function signalDuringStartup(args: string[], signal: NodeJS.Signals, cwd: string) {
    // The module gate (fixtures/module-trace-hooks.mjs) waits until this file exists.
    const release = path.join(await tempdir(), 'release');
    const run = spawnCli(args, {
      cwd,
      env: {
        NODE_OPTIONS: `--import=${TRACE_PRELOAD}`,
        SENTRY_GIT_GATE_SPECIFIER: '@oclif/core',
        SENTRY_GIT_GATE_FILE: release,
      },
    });
    await run.waitForLog((line) => line.msg === 'module gate: holding @oclif/core');
    run.child.kill(signal);
    await writeFile(release, '');
    return { run, result: await run.child };
  }

  it('a SIGINT before watch is ready stops it gracefully (exit 0) before it polls', async () => {
    const cwd = await watchedProject();
    const { run, result } = await signalDuringStartup(['watch'], 'SIGINT', cwd);
    expect(result.signal, String(result.stderr)).toBeUndefined();
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(run.logs.some((line) => /^SIGINT: stopping/.test(String(line.msg)))).toBe(true);
    expect(run.logs.filter((line) => /^poll finished/.test(String(line.msg)))).toEqual([]);
  });

  it('a SIGTERM before watch --once is ready: no poll, exit 1 as for any signal during --once', async () => {
    const cwd = await watchedProject();
    const { run, result } = await signalDuringStartup(['watch', '--once'], 'SIGTERM', cwd);
    expect(result.signal, String(result.stderr)).toBeUndefined();
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(run.logs.some((line) => /^SIGTERM: stopping/.test(String(line.msg)))).toBe(true);
    expect(run.logs.filter((line) => /^poll finished/.test(String(line.msg)))).toEqual([]);
  });

  it('other commands keep the default: a SIGINT while validate loads ends it at once', async () => {
    const cwd = await watchedProject();
    const { result } = await signalDuringStartup(['validate'], 'SIGINT', cwd);
    expect(result.signal).toBe('SIGINT');
    expect(result.stdout).toBe('');
  });
});
