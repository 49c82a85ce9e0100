import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { ConfigError, configJsonSchema, loadConfig, validateConfig } from '../src/index.js';
import { collectSecrets, expandEnv, resolveConfig } from '../src/internal.js';
import { issuesOf } from './config-issues.js';

const REFERENCE = path.resolve(__dirname, '../../../../shared/reference/original-configs');
const SCHEME_C = path.join(REFERENCE, 'sentry-scheme-c.yaml');
const ENV = {
  GITHUB_USERNAME: 'octo',
  GITHUB_TOKEN: 'ghp_schemeC_token_value',
  GITLAB_USERNAME: 'lab',
  GITLAB_TOKEN: 'glpat-schemeC-token',
  GITEA_USERNAME: 'tea',
  GITEA_TOKEN: 'gitea-schemeC-token',
};

async function writeConfig(yaml: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await tempdir();
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const file = path.join(dir, 'sentry.yaml');
  await writeFile(file, yaml);
  return file;
}

/** One repository in YAML, for files that test something else. */
const YAML_REPOSITORY =
  'repositories:\n  - name: app\n    monitor: { repo_url: /srv/app.git, branches: [main] }\n    deploy: { commands: ["true"] }\n';

const MINIMAL = {
  polling_interval: 1,
  repositories: [
    {
      name: 'app',
      monitor: { repo_url: '/tmp/app.git', branches: ['main'] },
      deploy: { commands: ['true'] },
    },
  ],
};

describe.skipIf(!existsSync(SCHEME_C))('the original Sentry "Scheme C" config', () => {
  it('loads unchanged with its variables set', async () => {
    const loaded = await loadConfig({ file: SCHEME_C, env: ENV });
    const { config } = loaded;
    expect(config.polling_interval).toBe(60);
    expect(config.groups['ai-blueprints']).toEqual({
      execution_strategy: 'parallel',
      max_parallel: 3,
      continue_on_error: true,
      global_timeout: 900,
    });
    expect(config.groups['critical-services']?.execution_strategy).toBe('sequential');
    expect(config.repositories.map((r) => r.name)).toEqual(['rag-service', 'standalone-service']);
    const rag = config.repositories[0]!;
    expect(rag.monitor.branches).toEqual(['main', 'dev.*']);
    expect(rag.monitor.auth).toEqual({ username: 'octo', token: ENV.GITHUB_TOKEN });
    expect(rag.deploy.project_name).toBe('rag');
    expect(rag.deploy.commands).toHaveLength(3);
    expect(config.repositories[1]!.group).toBeUndefined();
    expect(config.global).toMatchObject({
      tmp_dir: '/tmp/sentry',
      cleanup: true,
      log_level: 'info',
      timeout: 300,
    });
    expect(loaded.secrets).toEqual(
      expect.arrayContaining([ENV.GITHUB_TOKEN, ENV.GITLAB_TOKEN, ENV.GITEA_TOKEN]),
    );
  });

  it('names every unset variable with its key path', async () => {
    const error = await loadConfig({ file: SCHEME_C, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((issue) => issue.path);
    expect(paths).toContain('repositories[0].monitor.auth.token');
    expect(paths).toContain('repositories[1].deploy.auth.username');
    expect((error as ConfigError).message).toContain('GITHUB_TOKEN');
  });
});

describe('environment expansion', () => {
  it('expands ${VAR} and ${VAR:-default}, leaves commands alone, keeps $${ literal', () => {
    const { value, issues } = expandEnv(
      {
        a: '${X}',
        b: 'pre-${MISSING:-fallback}-post',
        c: '$${X}',
        deploy: { commands: ['echo ${X}', 'echo $X'] },
      },
      { X: 'value' },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({
      a: 'value',
      b: 'pre-fallback-post',
      c: '${X}',
      deploy: { commands: ['echo ${X}', 'echo $X'] },
    });
  });

  it('reports an unset variable with the variable name and the key path', () => {
    const { issues } = expandEnv({ repositories: [{ monitor: { auth: { token: '${NOPE}' } } }] }, {});
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('repositories[0].monitor.auth.token');
    expect(issues[0]!.message).toContain('NOPE');
  });

  it('treats values of secret-looking variables as secrets', () => {
    expect(
      expandEnv({ x: '${API_TOKEN}', y: '${NAME}' }, { API_TOKEN: 'tok-123456', NAME: 'plain' }).secrets,
    ).toEqual(['tok-123456']);
  });
});

describe('validation', () => {
  it('applies defaults', () => {
    const config = validateConfig(MINIMAL);
    expect(config.repositories[0]!.monitor.repo_type).toBe('git');
    expect(config.repositories[0]!.deploy.executor).toBe('shell');
    expect(config.global.timeout).toBe(300);
    expect(config.state.driver).toBe('sqlite');
  });

  it('lists every problem with its key path', () => {
    const issues = issuesOf(() =>
      validateConfig({
        groups: { g: { execution_strategy: 'parallel' } },
        repositories: [
          {
            name: 'a',
            group: 'nope',
            monitor: { repo_url: 'x', branches: ['(unclosed'] },
            deploy: { project_name: 'Bad_Name', commands: ['true'] },
          },
          { name: 'a', monitor: { repo_url: 'x', branches: ['main'] }, deploy: { commands: [] } },
        ],
      }),
    );
    const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue.message]));
    expect(byPath['repositories[0].deploy.project_name']).toMatch(/DNS-1123.*"Bad_Name"/s);
    expect(Object.keys(byPath)).toHaveLength(1);
    // Schema errors come first; once they are fixed the cross-key checks report.
    const cross = issuesOf(() =>
      validateConfig({
        groups: { g: {} },
        repositories: [
          {
            name: 'a',
            group: 'nope',
            monitor: { repo_url: 'x', branches: ['(unclosed'] },
            deploy: { commands: ['true'] },
          },
          { name: 'a', monitor: { repo_url: 'x', branches: ['main'] }, deploy: { commands: [] } },
        ],
      }),
    );
    const crossPaths = Object.fromEntries(cross.map((issue) => [issue.path, issue.message]));
    expect(crossPaths['repositories[0].group']).toMatch(/unknown group "nope".*known: g/);
    expect(crossPaths['repositories[0].monitor.branches[0]']).toMatch(
      /invalid branch pattern "\(unclosed": .*missing closing \)/,
    );
    expect(crossPaths['repositories[1].name']).toMatch(/duplicate repository name "a"/);
    expect(crossPaths['repositories[1].deploy.commands']).toMatch(/empty/);
  });

  it('refuses unknown keys, naming them', () => {
    const issues = issuesOf(() => validateConfig({ ...MINIMAL, polling_intervall: 5 }));
    expect(issues[0]!.message).toContain('"polling_intervall"');
  });

  it('checks ids against installed plugins when told what is installed', () => {
    const issues = issuesOf(() =>
      validateConfig(
        {
          ...MINIMAL,
          repositories: [
            { ...MINIMAL.repositories[0]!, monitor: { repo_url: 'x', branches: ['main'], repo_type: 'svn' } },
          ],
        },
        {
          known: {
            providers: new Set(['git']),
            providerFallbacks: new Set(['github']),
            executors: new Set(['shell']),
            strategies: new Set(['parallel']),
            stateStores: new Set(['sqlite']),
          },
        },
      ),
    );
    expect(issues).toEqual([
      { path: 'repositories[0].monitor.repo_type', message: expect.stringContaining('no provider "svn"') },
    ]);
  });

  it('resolveConfig expands and validates an object', () => {
    const { config, secrets } = resolveConfig(
      {
        ...MINIMAL,
        repositories: [
          {
            ...MINIMAL.repositories[0]!,
            monitor: { repo_url: 'x', branches: ['main'], auth: { token: '${T}' } },
          },
        ],
      },
      { env: { T: 'secret-token-1' } },
    );
    expect(config.repositories[0]!.monitor.auth?.token).toBe('secret-token-1');
    expect(secrets).toContain('secret-token-1');
  });
});

describe('loading', () => {
  it('finds sentry.yaml by search and reads .env beside it (the environment wins)', async () => {
    const file = await writeConfig(
      'polling_interval: ${INTERVAL}\nrepositories:\n  - name: app\n    monitor: { repo_url: "${URL}", branches: [main] }\n    deploy: { commands: ["echo $URL"] }\n',
      { '.env': 'URL=/srv/app.git\nINTERVAL=7\n' },
    );
    const loaded = await loadConfig({ cwd: path.dirname(file), env: { URL: '/from/env.git' } });
    expect(loaded.file).toBe(file);
    expect(loaded.config.repositories[0]!.monitor.repo_url).toBe('/from/env.git');
    expect(loaded.dotenv).toEqual({ URL: '/srv/app.git', INTERVAL: '7' });
  });

  it('keeps numbers typed when they come from YAML, and validates expanded strings', async () => {
    const file = await writeConfig(`polling_interval: 5\n${YAML_REPOSITORY}`);
    expect((await loadConfig({ file, env: {} })).config.polling_interval).toBe(5);
  });

  it('honours SENTRY_CONFIG_PATH', async () => {
    const dir = await tempdir();
    await mkdir(path.join(dir, 'conf'));
    await writeFile(path.join(dir, 'conf', 'custom.yml'), `polling_interval: 9\n${YAML_REPOSITORY}`);
    const loaded = await loadConfig({ cwd: dir, env: { SENTRY_CONFIG_PATH: 'conf/custom.yml' } });
    expect(loaded.config.polling_interval).toBe(9);
  });

  it('resolves a relative state.path against the config folder', async () => {
    const file = await writeConfig(`state: { path: data/state.db }\n${YAML_REPOSITORY}`);
    expect((await loadConfig({ file, env: {} })).config.state.path).toBe(
      path.join(path.dirname(file), 'data/state.db'),
    );
  });

  it('fails clearly on a missing file and on broken YAML', async () => {
    await expect(loadConfig({ file: '/nonexistent/sentry.yaml' })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
    });
    const file = await writeConfig('repositories: [\n  - name: x\n   bad: indent');
    await expect(loadConfig({ file })).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
    const empty = await tempdir();
    await expect(loadConfig({ cwd: empty, env: {} })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
  });
});

describe('JSON Schema', () => {
  it('describes the config file for editors', () => {
    const schema = configJsonSchema() as { anyOf: Array<{ properties: Record<string, unknown> }> };
    expect(Object.keys(schema.anyOf[0]!.properties)).toEqual(
      expect.arrayContaining(['polling_interval', 'groups', 'repositories', 'global', 'state', 'plugins']),
    );
    expect(JSON.stringify(schema)).toContain('project_name');
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(readFileSync).toBeDefined();
  });
});

describe('the committed JSON Schema', () => {
  it('matches the schema generated from the config schema (run `pnpm schema` to update)', () => {
    const committed = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../../docs/schema/config.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});

describe('collectSecrets', () => {
  it('keeps a password written into a URL (state.url) as a secret, encoded and decoded', () => {
    expect(
      collectSecrets({ state: { url: 'postgres://app:p%40ss-word-93@db.internal:5432/sentry' } }),
    ).toEqual(['p%40ss-word-93', 'p@ss-word-93']);
    expect(collectSecrets({ state: { url: 'postgres://app@db.internal/sentry' } })).toEqual([]);
  });
});
