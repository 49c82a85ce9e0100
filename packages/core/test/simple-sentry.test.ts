import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';
import { resolveConfig, translateSimpleSentry } from '../src/internal.js';

const SIMPLE = path.resolve(__dirname, '../../../../shared/reference/original-configs/sentry-simple.yaml');
const ENV = { GITHUB_TOKEN: 'ghp_simple_token_value', GITLAB_TOKEN: 'glpat-simple-token' };

describe.skipIf(!existsSync(SIMPLE))("the simplified Sentry's config (shared/reference)", () => {
  it('loads unchanged and becomes one repository deployed by the tekton executor in apply mode', async () => {
    const loaded = await loadConfig({ file: SIMPLE, env: ENV });
    expect(loaded.source.format).toBe('sentry-simple');
    const { config } = loaded;
    expect(config.polling_interval).toBe(300);
    expect(config.global.log_level).toBe('info');
    expect(config.global.timeout).toBe(300);
    expect(config.repositories).toHaveLength(1);
    const [repo] = config.repositories;
    expect(repo?.name).toBe('repo-a');
    expect(repo?.group).toBeUndefined();
    expect(repo?.monitor).toMatchObject({
      repo_url: 'https://github.com/example/repo-a',
      branches: ['main', 'develop'],
      repo_type: 'github',
      auth: { token: ENV.GITHUB_TOKEN },
    });
    expect(repo?.deploy).toMatchObject({
      executor: 'tekton',
      qa_repo_url: 'https://gitlab.example.com/example/repo-b',
      qa_repo_branch: 'main',
      repo_type: 'gitlab',
      auth: { token: ENV.GITLAB_TOKEN },
      project_name: 'repo-a',
      timeout: 300,
      tekton: {
        mode: 'apply',
        tekton_dir: '.tekton',
        context: 'default',
        namespace: 'tekton-pipelines',
        max_retries: 3,
      },
    });
    expect(loaded.secrets).toEqual(expect.arrayContaining([ENV.GITHUB_TOKEN, ENV.GITLAB_TOKEN]));
  });

  it('explains where each key went, naming no secret', async () => {
    const loaded = await loadConfig({ file: SIMPLE, env: ENV });
    const from = loaded.source.mapping.map((note) => note.from);
    for (const key of [
      'target_repo.url',
      'target_repo.branches',
      'qa_repo.url',
      'qa_repo.branch',
      'auth.github_token',
      'auth.gitlab_token',
      'polling_interval',
      'tekton_dir',
      'kubectl_context',
      'namespace',
      'log_level',
      'max_retries',
      'timeout',
    ])
      expect(from).toContain(key);
    const text = JSON.stringify(loaded.source.mapping);
    expect(text).not.toContain(ENV.GITHUB_TOKEN);
    expect(text).not.toContain(ENV.GITLAB_TOKEN);
  });

  it('names the unset variable with its key path in the simplified format', async () => {
    await expect(loadConfig({ file: SIMPLE, env: { GITLAB_TOKEN: 'x' } })).rejects.toMatchObject({
      issues: [
        expect.objectContaining({
          path: 'auth.github_token',
          message: expect.stringMatching(/GITHUB_TOKEN/),
        }),
      ],
    });
  });
});

describe('translateSimpleSentry', () => {
  const base = {
    target_repo: {
      url: 'https://git.example.com/team/svc.git',
      branches: 'main, release/1.0',
      type: 'gitea',
    },
    qa_repo: { url: 'https://git.example.com/team/qa' },
  };

  it('reads branch names literally: a dot is not "any character"', () => {
    const result = translateSimpleSentry(base);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const repositories = result.config.repositories as Array<{
      name: string;
      monitor: { branches: string[] };
    }>;
    expect(repositories[0]?.name).toBe('svc');
    expect(repositories[0]?.monitor.branches).toEqual(['main', 'release/1\\.0']);
    const { config } = resolveConfig(base, { env: {} });
    const pattern = new RegExp(`^(?:${config.repositories[0]?.monitor.branches[1]})$`);
    expect(pattern.test('release/1.0')).toBe(true);
    expect(pattern.test('release/1x0')).toBe(false);
  });

  it('uses the token that matches each repository type and leaves out the others', () => {
    const { config } = resolveConfig(
      { ...base, auth: { gitea_token: 'tea-token-1', github_token: 'unused-gh' } },
      { env: {} },
    );
    expect(config.repositories[0]?.monitor.auth).toEqual({ token: 'tea-token-1' });
    expect(config.repositories[0]?.deploy.auth).toBeUndefined();
  });

  it('reports every problem with the key path of the simplified format', async () => {
    const dir = await tempdir();
    const file = path.join(dir, 'sentry.yaml');
    await writeFile(
      file,
      [
        'target_repo:',
        '  url: https://github.com/example/a',
        '  branches: " , "',
        'qa_repo: { branch: main }',
        'polling_interval: soon',
        'kubectl_ctx: default',
      ].join('\n'),
    );
    const error = await loadConfig({ file, env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['qa_repo.url', 'polling_interval', '']));
    expect((error as ConfigError).message).toMatch(/kubectl_ctx/);
  });

  it('refuses a branch list that names no branch', () => {
    const result = translateSimpleSentry({ ...base, target_repo: { ...base.target_repo, branches: ' , ' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('target_repo.branches');
  });
});
