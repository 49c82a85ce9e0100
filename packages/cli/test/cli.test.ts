import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, isProcessAlive, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from './cli.js';

const SCHEME_C = path.resolve(
  __dirname,
  '../../../../shared/reference/original-configs/sentry-scheme-c.yaml',
);
const SCHEME_C_ENV = {
  GITHUB_USERNAME: 'octo',
  GITHUB_TOKEN: 'ghp_cli_token_1',
  GITLAB_USERNAME: 'lab',
  GITLAB_TOKEN: 'glpat_cli_token_2',
  GITEA_USERNAME: 'tea',
  GITEA_TOKEN: 'gitea_cli_token_3',
};

async function project(yaml: string): Promise<string> {
  const dir = await tempdir();
  await writeFile(path.join(dir, 'sentry.yaml'), yaml);
  return dir;
}

function yamlFor(url: string, commands: string[], extra = ''): string {
  return `polling_interval: 1
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
repositories:
  - name: app
    monitor: { repo_url: "${url}", branches: ["main", "dev.*"] }
    deploy:
      project_name: app
      commands: ${JSON.stringify(commands)}
${extra}`;
}

describe.skipIf(!existsSync(SCHEME_C))('validate: the original Sentry config', () => {
  it('accepts Scheme C unchanged, with its variables set', async () => {
    const result = await cli(['validate', '-c', SCHEME_C], {
      cwd: path.dirname(SCHEME_C),
      env: SCHEME_C_ENV,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('valid (2 repositories, 2 groups');
  });

  it('accepts it pointed at local bare repositories with repo_type git, and reaches them', async () => {
    const watched = await gitdir({ branches: ['main', 'dev-1'] });
    const standalone = await gitdir({ branches: ['main'] });
    const qa = await gitdir({ branches: ['main'] });
    const text = readFileSync(SCHEME_C, 'utf8')
      .replace('https://github.com/company/rag', watched.url)
      .replace('https://gitea.example.com/team/standalone', standalone.url)
      .replaceAll('https://gitlab.com/qa/pipelines', qa.url)
      .replaceAll(/repo_type: "(github|gitlab|gitea)"/g, 'repo_type: "git"');
    const dir = await project(text);
    const result = await cli(['validate', '--check-connections'], { cwd: dir, env: SCHEME_C_ENV });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /ok {3}repositories\[0\] rag-service monitor .*: 2 matching branches via git/,
    );
    expect(result.stdout).toMatch(/ok {3}repositories\[1\] standalone-service qa_repo/);
  });
});

describe('validate: bad input', () => {
  const base = (repo: string, extra = '') =>
    `groups:\n  g: { execution_strategy: parallel }\nrepositories:\n${repo}${extra}`;
  const good =
    '  - name: a\n    monitor: { repo_url: /x.git, branches: [main] }\n    deploy: { commands: ["true"] }\n';
  const cases: Array<[string, string, RegExp]> = [
    [
      'unknown group',
      base(
        '  - name: a\n    group: nope\n    monitor: { repo_url: /x.git, branches: [main] }\n    deploy: { commands: ["true"] }\n',
      ),
      /repositories\[0\]\.group: unknown group "nope"/,
    ],
    ['duplicate names', base(good + good), /repositories\[1\]\.name: duplicate repository name "a"/],
    [
      'bad project_name',
      base(
        '  - name: a\n    monitor: { repo_url: /x.git, branches: [main] }\n    deploy: { project_name: Rag_Service, commands: ["true"] }\n',
      ),
      /repositories\[0\]\.deploy\.project_name: .*DNS-1123.*"Rag_Service"/,
    ],
    [
      'invalid regex',
      base(
        '  - name: a\n    monitor: { repo_url: /x.git, branches: ["dev-(["] }\n    deploy: { commands: ["true"] }\n',
      ),
      /repositories\[0\]\.monitor\.branches\[0\]: invalid branch pattern "dev-\(\[": it is not a valid RE2 regular expression/,
    ],
    [
      'branch pattern RE2 does not have',
      base(
        '  - name: a\n    monitor: { repo_url: /x.git, branches: ["(?!main$).*"] }\n    deploy: { commands: ["true"] }\n',
      ),
      /repositories\[0\]\.monitor\.branches\[0\]: invalid branch pattern "\(\?!main\$\)\.\*": it uses a lookahead.*Fix: /,
    ],
    [
      'duration over what timers can wait',
      base(
        '  - name: a\n    monitor: { repo_url: /x.git, branches: [main], polling_interval: 3000000 }\n    deploy: { commands: ["true"] }\n',
      ),
      /repositories\[0\]\.monitor\.polling_interval: must be at most 2073600 seconds \(24 days\)/,
    ],
    [
      'unset variable',
      base(
        '  - name: a\n    monitor: { repo_url: /x.git, branches: [main], auth: { token: "${SENTRY_TEST_UNSET_TOKEN}" } }\n    deploy: { commands: ["true"] }\n',
      ),
      /repositories\[0\]\.monitor\.auth\.token: environment variable SENTRY_TEST_UNSET_TOKEN is not set/,
    ],
    [
      'empty commands',
      base(
        '  - name: a\n    monitor: { repo_url: /x.git, branches: [main] }\n    deploy: { commands: [] }\n',
      ),
      /repositories\[0\]\.deploy\.commands: empty/,
    ],
  ];
  for (const [name, yaml, expected] of cases) {
    it(`exits 1 naming the key path: ${name}`, async () => {
      const dir = await project(yaml);
      const result = await cli(['validate'], { cwd: dir });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).toMatch(/Fix|must|not set/);
    });
  }

  it('lists every problem at once', async () => {
    const dir = await project(
      base(
        '  - name: a\n    group: nope\n    monitor: { repo_url: /x.git, branches: ["(("] }\n    deploy: { commands: [] }\n',
      ),
    );
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('3 problems');
  });
});

describe('watch', () => {
  it('polls every second, deploys a push, and stops gracefully on SIGTERM', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(
      yamlFor(remote.bare, ['echo "deployed $SENTRY_COMMIT" >> "$CONFIG_DIR/deploys.log"']),
    );
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir, env: { CONFIG_DIR: dir } });
    await watch.waitForLog((line) => line.msg === 'poll finished: 1 checked, 0 changed, 0 errors');
    const sha = await remote.commit('main');
    const finished = await watch.waitForLog(
      (line) => typeof line.msg === 'string' && line.msg.startsWith('run ') && line.status !== undefined,
    );
    expect(finished.status).toBe('succeeded');
    watch.child.kill('SIGTERM');
    const result = await watch.child;
    expect(result.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'deploys.log'), 'utf8')).toBe(`deployed ${sha}\n`);
    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout) as Array<{
      status: string;
      jobs: Array<{ sha: string; status: string }>;
    }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.jobs[0]).toMatchObject({ sha, status: 'succeeded' });
  });

  it('--once exits 0 when every run succeeded and 1 when one failed', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(yamlFor(remote.bare, ['test "$SENTRY_BRANCH" = main']));
    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(0);
    await remote.commit('main');
    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(0);
    await remote.commit('dev-broken');
    const failed = await cli(['watch', '--once'], { cwd: dir });
    expect(failed.exitCode).toBe(1);
    const status = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout) as Array<{
      heads: Array<{ branch: string }>;
      lastRun: { status: string };
    }>;
    expect(status[0]!.heads.map((h) => h.branch)).toEqual(['dev-broken', 'main']);
    expect(status[0]!.lastRun.status).toBe('failed');
    const runs = await cli(['runs'], { cwd: dir });
    expect(runs.stdout).toMatch(/app\s+dev-broken\s+\w{10}\s+failed\s+1/);
  });

  it('recovers a run interrupted by kill -9: the job that outlived the crash is adopted, not run again', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(
      yamlFor(remote.bare, [
        'n=$(cat "$CONFIG_DIR/attempts" 2>/dev/null || echo 0); echo $((n+1)) > "$CONFIG_DIR/attempts"',
        'echo "$SENTRY_COMMIT" >> "$CONFIG_DIR/deploys.log"',
        'if [ "$n" = 0 ]; then sleep 300 & echo $! > "$CONFIG_DIR/hung.pid"; wait || true; fi',
      ]),
    );
    const env = { CONFIG_DIR: dir };
    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    const sha = await remote.commit('main');
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir, env });
    await watch.waitForLog(
      (line) =>
        line.stream === 'stdout' ||
        (typeof line.msg === 'string' && line.msg.startsWith('deploying app main')),
    );
    await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.includes('sleep 300'));
    watch.child.kill('SIGKILL');
    await watch.child;
    // kill -9 leaves the deploy's own processes behind, as it would on a real crash: the job goes
    // on without the engine, and ends (its last command returns) while no engine runs.
    const hung = Number(await readFile(path.join(dir, 'hung.pid'), 'utf8').catch(() => '0'));
    if (hung > 0 && isProcessAlive(hung)) process.kill(hung, 'SIGKILL');

    const restarted = await cli(['watch', '--once', '--log-level', 'debug'], { cwd: dir, env });
    expect(restarted.exitCode).toBe(0);
    expect(restarted.stderr).toContain(
      'left unfinished by an earlier process (crash or stop) is queued again',
    );
    // The restarted engine adopts the job and takes its exit status: the commands ran once.
    expect((await readFile(path.join(dir, 'deploys.log'), 'utf8')).trim().split('\n')).toEqual([sha]);
    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout) as Array<{
      status: string;
      attempts: number;
      jobs: Array<{ status: string; attempt: number }>;
    }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(runs[0]?.jobs).toMatchObject([{ status: 'succeeded', attempt: 1 }]);

    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    expect((await readFile(path.join(dir, 'attempts'), 'utf8')).trim()).toBe('1');
  });
});

describe('trigger', () => {
  it('deploys now, by name or for everything, and exits 1 when a job failed', async () => {
    const remote = await gitdir({ branches: ['main', 'dev-x'] });
    const dir = await project(
      yamlFor(remote.bare, ['test "$SENTRY_TRIGGER" = manual', 'test "$SENTRY_BRANCH" = main']),
    );
    const result = await cli(['trigger', 'app'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/app\s+main\s+\w{10}\s+succeeded/);
    expect(result.stdout).toMatch(/app\s+dev-x\s+\w{10}\s+failed/);
    const unknown = await cli(['trigger', 'nope'], { cwd: dir });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('Unknown repository "nope"');
  });
});

describe('one engine per state file', () => {
  it('refuses a second deploying process while watch runs; status still reads', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(yamlFor(remote.bare, ['true']));
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir });
    await watch.waitForLog(
      (line) => line.msg === 'poll finished: 1 checked, 0 changed, 0 errors' || line.msg === 'poll started',
    );
    const second = await cli(['trigger'], { cwd: dir });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(
      /ENGINE_LOCKED.*Another sentry-git process holds the engine lock of .*: pid \d+ \(watch, since /,
    );
    const status = await cli(['status'], { cwd: dir });
    expect(status.exitCode).toBe(0);
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
    // The lock goes with the process: deploying works again.
    expect((await cli(['trigger'], { cwd: dir })).exitCode).toBe(0);
  });
});

describe('watch --once and poll errors', () => {
  it('exits 1 when a repository could not be polled, naming it', async () => {
    const dir = await project(yamlFor('./missing.git', ['true']));
    const result = await cli(['watch', '--once'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('1 of 1 repositories could not be polled');
    expect(result.stderr).toMatch(/poll of app failed/);
  });
});
