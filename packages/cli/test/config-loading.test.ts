import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.js';

/**
 * How the built CLI reads configuration files: variables, the empty configuration, hostile
 * YAML, read-only commands without tokens, and JavaScript/TypeScript configs in a folder outside
 * the repository where nothing is installed.
 */

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await tempdir();
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

const REPOSITORY_YAML = `repositories:
  - name: app
    monitor: { repo_url: /srv/app.git, branches: [main] }
    deploy: { commands: ["true"] }
`;

describe('$VAR in a configuration', () => {
  const yaml = `repositories:
  - name: app
    monitor:
      repo_url: https://github.com/acme/app
      branches: [main]
      repo_type: github
      auth: { token: $SENTRY_TEST_GH_TOKEN }
    deploy: { commands: ["true"] }
`;

  it('validate names an unset $VAR with its key path, and loads the file once it is set', async () => {
    const dir = await folderWith({ 'sentry.yaml': yaml });
    const unset = await cli(['validate'], { cwd: dir });
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain(
      'repositories[0].monitor.auth.token: environment variable SENTRY_TEST_GH_TOKEN is not set',
    );
    const set = await cli(['validate'], {
      cwd: dir,
      env: { SENTRY_TEST_GH_TOKEN: 'ghp_from_the_environment' },
    });
    expect(set.stderr).toBe('');
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toContain('valid (1 repository');
  });
});

describe('a configuration that watches nothing', () => {
  it('fails validate and watch --once instead of doing nothing successfully', async () => {
    const dir = await folderWith({ 'empty.yaml': '', 'sentry.yaml': 'polling_interval: 60\n' });
    const empty = await cli(['validate', '-c', 'empty.yaml'], { cwd: dir });
    expect(empty.exitCode).toBe(1);
    expect(empty.stderr).toMatch(
      /repositories: missing: nothing to watch\. Fix: add at least one repository/,
    );
    const watch = await cli(['watch', '--once'], { cwd: dir });
    expect(watch.exitCode).toBe(1);
    expect(watch.stderr).toContain('repositories: missing: nothing to watch');
  });
});

describe('hostile YAML', () => {
  function billionLaughs(): string {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [index, name] of [...'bcdefghi'].entries()) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`);
    }
    return `${lines.join('\n')}\n${REPOSITORY_YAML}`;
  }

  it('an alias bomb is refused with the file and the line, exit 1', async () => {
    const dir = await folderWith({ 'sentry.yaml': billionLaughs() });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Error [CONFIG_UNREADABLE]: Cannot read ${path.join(dir, 'sentry.yaml')}`,
    );
    expect(result.stderr).toMatch(
      /aliases expand to more than 1,000,000 values by \*\w at line \d+, column \d+/,
    );
  });

  it('an alias inside its own anchor is refused with the file and the line, exit 1', async () => {
    const dir = await folderWith({ 'sentry.yaml': `${REPOSITORY_YAML}global: &g { tmp_dir: *g }\n` });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Error [CONFIG_UNREADABLE]: Cannot read ${path.join(dir, 'sentry.yaml')}`,
    );
    expect(result.stderr).toContain('the alias *g at line 5, column 23 is inside the anchor it refers to');
    expect(result.stderr).not.toContain('Maximum call stack');
  });
});

describe('read-only commands need no tokens', () => {
  // Eleven runs of the CLI: on a loaded machine each takes seconds.
  it('status and runs read the history with the token variables unset; deploying commands still need them', {
    timeout: 300_000,
  }, async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await folderWith({
      'sentry.yaml': `polling_interval: 60
global: { tmp_dir: ./jobs }
notifications: { secret: "\${SENTRY_TEST_NOTIFY_SECRET}" }
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: [main], auth: { token: $SENTRY_TEST_WATCH_TOKEN } }
    deploy:
      commands: ['echo "deployed $SENTRY_COMMIT"']
      env: { DEPLOY_KEY: "\${SENTRY_TEST_DEPLOY_KEY}" }
`,
    });
    const tokens = {
      SENTRY_TEST_WATCH_TOKEN: 'watch-token-123456',
      SENTRY_TEST_NOTIFY_SECRET: 'notify-secret-123456',
      SENTRY_TEST_DEPLOY_KEY: 'deploy-key-123456',
    };
    const trigger = await cli(['trigger', 'app'], { cwd: dir, env: tokens });
    expect(trigger.exitCode, trigger.stderr).toBe(0);
    const sha = (await remote.heads()).get('main');

    const status = await cli(['status'], { cwd: dir });
    expect(status.stderr).toBe('');
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/app\s+-\s+main\s+\w+/);
    const statusJson = await cli(['status', '--json'], { cwd: dir });
    expect(statusJson.exitCode).toBe(0);
    expect(JSON.parse(statusJson.stdout)[0]).toMatchObject({ name: 'app', lastRun: { status: 'succeeded' } });
    const runs = await cli(['runs'], { cwd: dir });
    expect(runs.exitCode).toBe(0);
    expect(runs.stdout).toMatch(/app\s+main\s+\w{10}\s+succeeded/);
    const runsJson = await cli(['runs', '--json'], { cwd: dir });
    expect(runsJson.exitCode).toBe(0);
    expect(JSON.parse(runsJson.stdout)[0].jobs[0]).toMatchObject({ sha, status: 'succeeded' });

    // Commands that reach the repository (or validate) still refuse, naming the variable.
    for (const args of [['validate'], ['watch', '--once'], ['trigger', 'app']]) {
      const refused = await cli(args, { cwd: dir });
      expect(refused.exitCode, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain('environment variable SENTRY_TEST_WATCH_TOKEN is not set');
    }
  });

  it('a key that needs its unset variable still fails a read-only command, naming the variable', async () => {
    const dir = await folderWith({
      'sentry.yaml': `polling_interval: $SENTRY_TEST_INTERVAL\n${REPOSITORY_YAML}`,
    });
    const status = await cli(['status'], { cwd: dir });
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toContain('polling_interval: environment variable SENTRY_TEST_INTERVAL is not set');
    expect(status.stderr).not.toContain('expected a number');
  });
});

describe('JavaScript and TypeScript configs outside the repository', () => {
  const CONFIG = `{
  repositories: [
    { name: 'app', monitor: { repo_url: '/srv/app.git', branches: ['main'] }, deploy: { commands: ['true'] } },
  ],
}`;

  it('a .ts config loads and leaves no compiled file behind', async () => {
    const dir = await folderWith({
      'sentry-git.config.ts': `interface Repo { name: string }\nconst first: Repo = { name: 'app' };\nexport default ${CONFIG.replace("name: 'app'", 'name: first.name')} as const;\n`,
    });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('valid (1 repository');
    expect(await readdir(dir)).toEqual(['sentry-git.config.ts']);
  });

  it('a .ts config that cannot import @sentry-git/core is told to install it, not to fix its syntax', async () => {
    const dir = await folderWith({
      'sentry-git.config.ts': `import { defineConfig } from '@sentry-git/core';\nexport default defineConfig(${CONFIG});\n`,
    });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Cannot load ${path.join(dir, 'sentry-git.config.ts')}: it imports the package @sentry-git/core, which is not installed`,
    );
    expect(result.stderr).toContain(`cd "${dir}" && npm i -D @sentry-git/core`);
    expect(result.stderr).toContain('export default { ... }');
    expect(result.stderr).not.toMatch(/syntax/i);
    expect(await readdir(dir)).toEqual(['sentry-git.config.ts']);
  });

  it('a .ts syntax error gives the line and column', async () => {
    const dir = await folderWith({
      'sentry-git.config.ts': 'export default {\n  repositories: [\n    { name: "app" \n  ],\n};\n',
    });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /sentry-git\.config\.ts: syntax error at line 4, column 3: ',' expected\. Fix: Correct the syntax\./,
    );
  });

  it('a .mjs syntax error gives the line', async () => {
    const dir = await folderWith({
      'sentry-git.config.mjs': 'export default {\n  repositories: [ ,, }\n};\n',
    });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "syntax error at line 2, column 22: Unexpected token '}'. Fix: Correct the syntax.",
    );
  });

  it('a config that throws while it runs says so', async () => {
    const dir = await folderWith({
      'sentry-git.config.mjs':
        'const settings = {};\nexport default { polling_interval: settings.missing.value };\n',
    });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /it threw while it ran: Cannot read properties of undefined \(reading 'value'\) \(at .*sentry-git\.config\.mjs:2:\d+\)/,
    );
  });

  it('an import of a missing file or package names it', async () => {
    const dir = await folderWith({
      'sentry-git.config.mjs': "export { default } from './repos.mjs';\n",
      'other.mjs': "import x from '@acme/settings/repos.js';\nexport default x;\n",
    });
    const file = await cli(['validate'], { cwd: dir });
    expect(file.exitCode).toBe(1);
    expect(file.stderr).toContain(`it imports ${path.join(dir, 'repos.mjs')}, which does not exist`);
    const other = await cli(['validate', '-c', 'other.mjs'], { cwd: dir });
    expect(other.stderr).toContain('it imports the package @acme/settings, which is not installed');
    expect(other.stderr).toContain('npm i -D @acme/settings');
  });
});
