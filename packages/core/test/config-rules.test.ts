import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { type ConfigError, createSentry, loadConfig, validateConfig } from '../src/index.js';
import { resolveConfig } from '../src/internal.js';
import { issuesOf } from './config-issues.js';

const REPOSITORY = {
  name: 'app',
  monitor: { repo_url: '/srv/app.git', branches: ['main'] },
  deploy: { commands: ['true'] },
};

describe('a configuration that watches nothing is an error, as in the original Sentry', () => {
  it('an empty file', async () => {
    const file = path.join(await tempdir(), 'sentry.yaml');
    await writeFile(file, '');
    const error = await loadConfig({ file, env: {} }).catch((e: unknown) => e);
    expect((error as ConfigError).issues).toEqual([
      {
        path: 'repositories',
        message: expect.stringMatching(/^missing: nothing to watch\. Fix: add at least one repository/),
      },
    ]);
  });

  it('settings without repositories, and an empty list', () => {
    expect(issuesOf(() => validateConfig({ polling_interval: 60 }))).toEqual([
      { path: 'repositories', message: expect.stringContaining('missing: nothing to watch') },
    ]);
    expect(issuesOf(() => validateConfig({ repositories: [] }))).toEqual([
      { path: 'repositories', message: expect.stringContaining('empty: nothing to watch') },
    ]);
  });

  it('for library use too: resolveConfig and createSentry refuse it the same way', async () => {
    expect(() => resolveConfig({ repositories: [] }, { env: {} })).toThrow(
      /repositories: empty: nothing to watch/,
    );
    await expect(
      createSentry({ config: { state: { driver: 'memory' }, repositories: [] }, env: {} }),
    ).rejects.toThrow(/nothing to watch/);
  });

  it('one repository is enough', () => {
    expect(validateConfig({ repositories: [REPOSITORY] }).repositories).toHaveLength(1);
  });
});

describe('project_name', () => {
  it('an explicitly empty one is refused (the original rejects it), saying how to fix it', () => {
    const issues = issuesOf(() =>
      validateConfig({ repositories: [{ ...REPOSITORY, deploy: { project_name: '', commands: ['true'] } }] }),
    );
    expect(issues).toEqual([
      {
        path: 'repositories[0].deploy.project_name',
        message: expect.stringMatching(
          /^must not be empty.*Fix: .*remove the key to use the repository name/,
        ),
      },
    ]);
  });

  it('an empty one from an empty variable is refused too', () => {
    expect(() =>
      resolveConfig(
        { repositories: [{ ...REPOSITORY, deploy: { project_name: '${PROJECT}', commands: ['true'] } }] },
        { env: { PROJECT: '' } },
      ),
    ).toThrow(/project_name: must not be empty/);
  });

  it('a name that is not a DNS-1123 label gets the label to write', () => {
    const issues = issuesOf(() =>
      validateConfig({
        repositories: [{ ...REPOSITORY, deploy: { project_name: 'Rag_Service', commands: ['true'] } }],
      }),
    );
    expect(issues[0]!.message).toMatch(
      /DNS-1123 label.*\(got the string "Rag_Service"\)\. Fix: write "rag-service"\./,
    );
  });
});

describe("what the original Sentry's files may hold", () => {
  it('YAML 1.1 booleans, which its YAML library reads into boolean keys', async () => {
    const file = path.join(await tempdir(), 'sentry.yaml');
    await writeFile(
      file,
      `groups:\n  g: { execution_strategy: parallel, continue_on_error: yes }\n${'repositories:\n  - name: app\n    group: g\n    monitor: { repo_url: /srv/app.git, branches: [main], report_status: On }\n    deploy: { commands: ["true"] }\n'}global: { cleanup: no, deploy_on_first_sight: "off" }\n`,
    );
    const { config } = await loadConfig({ file, env: {} });
    expect(config.groups.g!.continue_on_error).toBe(true);
    expect(config.repositories[0]!.monitor.report_status).toBe(true);
    expect(config.global.cleanup).toBe(false);
    expect(config.global.deploy_on_first_sight).toBe(false);
  });

  it('the same spellings in the deploy.tekton block', async () => {
    const file = path.join(await tempdir(), 'sentry.yaml');
    await writeFile(
      file,
      'repositories:\n  - name: app\n    monitor: { repo_url: /srv/app.git, branches: [main] }\n    deploy:\n      executor: tekton\n      tekton: { mode: eventlistener, event_listener_url: "http://el:8080", in_cluster: yes, follow: Off }\n',
    );
    const { config } = await loadConfig({ file, env: {} });
    const tekton = config.repositories[0]!.deploy.tekton as { in_cluster?: boolean; follow?: boolean };
    expect(tekton.in_cluster).toBe(true);
    expect(tekton.follow).toBe(false);
  });

  it('a blank name or repo_url is refused, as the original trims them', () => {
    const issues = issuesOf(() =>
      validateConfig({
        repositories: [{ ...REPOSITORY, name: '  ', monitor: { repo_url: ' ', branches: ['main'] } }],
      }),
    );
    expect(issues).toEqual([
      { path: 'repositories[0].name', message: expect.stringMatching(/^must not be blank/) },
      { path: 'repositories[0].monitor.repo_url', message: expect.stringMatching(/^must not be blank/) },
    ]);
  });
});
