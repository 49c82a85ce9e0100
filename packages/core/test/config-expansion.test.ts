import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';
import { expandEnv } from '../src/internal.js';

const REPOSITORY = {
  name: 'app',
  monitor: { repo_url: '/srv/app.git', branches: ['main'] },
  deploy: { commands: ['true'] },
};

describe('$VAR expansion, as the original Sentry did', () => {
  // The original's own test table (config_test.go, TestExpandEnvVars), in values.
  const env = { TEST_VAR: 'test_value', GITHUB_TOKEN: 'github_token_123' };
  it.each([
    ['${GITHUB_TOKEN}', 'github_token_123'],
    ['$TEST_VAR', 'test_value'],
    ['plain text', 'plain text'],
    ['github: ${GITHUB_TOKEN}, test: $TEST_VAR', 'github: github_token_123, test: test_value'],
  ])('%s → %s', (written, expected) => {
    const { value, issues } = expandEnv({ value: written }, env);
    expect(issues).toEqual([]);
    expect(value).toEqual({ value: expected });
  });

  it('ends a name at the first character that cannot be in one, like the original', () => {
    const { value } = expandEnv(
      { url: 'https://$HOST/$ORG-team/repo.git', path: '$HOME/.kube/config' },
      { HOST: 'git.example.com', ORG: 'acme', HOME: '/home/op' },
    );
    expect(value).toEqual({
      url: 'https://git.example.com/acme-team/repo.git',
      path: '/home/op/.kube/config',
    });
  });

  it('writes $$ as a literal $, and leaves a $ that starts no name alone', () => {
    const { value, issues } = expandEnv(
      {
        password: 'pa$$word',
        literal: '$$HOME and $${HOME}',
        price: 'costs $5, $ 6 and $',
        sha: '$(sentry.sha)',
        regex: 'release-.*$',
      },
      {},
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({
      password: 'pa$word',
      literal: '$HOME and ${HOME}',
      price: 'costs $5, $ 6 and $',
      sha: '$(sentry.sha)',
      regex: 'release-.*$',
    });
  });

  it('an unset $VAR is an error naming the variable and the key path, like ${VAR}', () => {
    const { issues } = expandEnv({ repositories: [{ monitor: { auth: { token: '$GITHUB_TOKEN' } } }] }, {});
    expect(issues).toEqual([
      {
        path: 'repositories[0].monitor.auth.token',
        message: expect.stringMatching(
          /environment variable GITHUB_TOKEN is not set.*Fix:.*\$\$GITHUB_TOKEN/,
        ),
      },
    ]);
  });

  it('a variable set to the empty string expands to it, and ${VAR:-default} still works', () => {
    const { value, issues } = expandEnv(
      { a: 'x$EMPTY.y', b: '${NOPE:-fallback}', c: '${EMPTY:-used}' },
      { EMPTY: '' },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({ a: 'x.y', b: 'fallback', c: 'used' });
  });

  it('refuses a ${...} that is no variable reference instead of keeping it as text', () => {
    const { issues } = expandEnv(
      { deploy: { env: { A: '${VAR-default}', B: '${1}', C: '${OPEN' } } },
      {
        VAR: 'x',
      },
    );
    expect(issues.map((issue) => issue.path)).toEqual(['deploy.env.A', 'deploy.env.B', 'deploy.env.C']);
    expect(issues[0]!.message).toMatch(
      /"\$\{VAR-default\}" is not a variable reference.*\$\{NAME:-default\}/,
    );
  });

  it('leaves commands to the shell, expands deploy.env and tekton params, and only ${VAR} in an inline PipelineRun', () => {
    const { value, issues } = expandEnv(
      {
        deploy: {
          commands: ['echo $HOME ${HOME} $$'],
          env: { KUBECONFIG: '$HOME/.kube/config' },
          tekton: {
            params: { revision: '$(sentry.sha)', namespace: '$NS' },
            pipelinerun: {
              spec: {
                pipelineSpec: {
                  tasks: [{ taskSpec: { steps: [{ script: 'echo $HOME $$ ${NS} $${KEEP}' }] } }],
                },
              },
            },
          },
        },
      },
      { HOME: '/home/op', NS: 'ci' },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({
      deploy: {
        commands: ['echo $HOME ${HOME} $$'],
        env: { KUBECONFIG: '/home/op/.kube/config' },
        tekton: {
          params: { revision: '$(sentry.sha)', namespace: 'ci' },
          pipelinerun: {
            spec: {
              pipelineSpec: { tasks: [{ taskSpec: { steps: [{ script: 'echo $HOME $$ ci ${KEEP}' }] } }] },
            },
          },
        },
      },
    });
  });

  it('treats values of secret-looking variables written $VAR as secrets', () => {
    expect(
      expandEnv({ x: '$API_TOKEN', y: '$NAME' }, { API_TOKEN: 'tok-123456', NAME: 'plain-name' }).secrets,
    ).toEqual(['tok-123456']);
  });
});

describe('loading a file that uses $VAR', () => {
  async function write(yaml: string): Promise<string> {
    const file = path.join(await tempdir(), 'sentry.yaml');
    await writeFile(file, yaml);
    return file;
  }
  const yaml = `polling_interval: $INTERVAL
repositories:
  - name: app
    monitor:
      repo_url: https://github.com/acme/app
      branches: [main]
      repo_type: github
      auth: { token: $GITHUB_TOKEN }
    deploy: { commands: ["echo $GITHUB_TOKEN is not expanded here"] }
`;

  it('loads the token from the environment and redacts it', async () => {
    const loaded = await loadConfig({
      file: await write(yaml),
      env: { GITHUB_TOKEN: 'ghp_bare_reference_1', INTERVAL: '90' },
    });
    expect(loaded.config.polling_interval).toBe(90);
    expect(loaded.config.repositories[0]!.monitor.auth?.token).toBe('ghp_bare_reference_1');
    expect(loaded.config.repositories[0]!.deploy.commands).toEqual([
      'echo $GITHUB_TOKEN is not expanded here',
    ]);
    expect(loaded.secrets).toContain('ghp_bare_reference_1');
  });

  it('fails on an unset one with the variable and the key path, never loading the literal "$GITHUB_TOKEN"', async () => {
    const error = await loadConfig({ file: await write(yaml), env: { INTERVAL: '90' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      {
        path: 'repositories[0].monitor.auth.token',
        message: expect.stringContaining('environment variable GITHUB_TOKEN is not set'),
      },
    ]);
  });

  it('read-only use leaves unset references as written and validates everything else', async () => {
    const file = await write(yaml);
    const loaded = await loadConfig({ file, env: { INTERVAL: '90' }, allowUnsetVariables: true });
    expect(loaded.config.repositories[0]!.monitor.auth?.token).toBe('$GITHUB_TOKEN');
    expect(loaded.unsetVariables.map((issue) => issue.path)).toEqual(['repositories[0].monitor.auth.token']);
    // A key that cannot be valid without its variable still names the variable, not "$INTERVAL".
    const error = await loadConfig({ file, env: {}, allowUnsetVariables: true }).catch((e) => e);
    expect((error as ConfigError).issues).toEqual([
      {
        path: 'polling_interval',
        message: expect.stringContaining('environment variable INTERVAL is not set'),
      },
    ]);
    // Problems that have nothing to do with variables are still problems.
    const broken = await write(yaml.replace('branches: [main]', 'branches: main'));
    await expect(
      loadConfig({ file: broken, env: { INTERVAL: '9' }, allowUnsetVariables: true }),
    ).rejects.toThrow(/repositories\[0\]\.monitor\.branches: expected a list of strings/);
  });

  it('keeps a repository object valid when its values come from $VAR', async () => {
    const loaded = await loadConfig({
      file: await write(
        `repositories:\n  - name: $NAME\n    monitor: { repo_url: "${REPOSITORY.monitor.repo_url}", branches: [$BRANCH] }\n    deploy: { commands: ["true"] }\n`,
      ),
      env: { NAME: 'from-env', BRANCH: 'release' },
    });
    expect(loaded.config.repositories[0]).toMatchObject({
      name: 'from-env',
      monitor: { branches: ['release'] },
    });
  });
});
