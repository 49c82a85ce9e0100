import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type FakeServer,
  git,
  gitdir,
  startGiteaServer,
  startGitHubServer,
  startGitlabServer,
  tempdir,
} from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli } from './cli.js';

const TOKEN = 'forge-token-5d1e9a0b7c';

interface Forge {
  type: 'github' | 'gitlab' | 'gitea';
  /** The project path the server serves the repository under. */
  project: string;
  start(bare: string): Promise<{ server: FakeServer; apiBaseUrl: string }>;
}

const FORGES: Forge[] = [
  {
    type: 'github',
    project: 'acme/app',
    async start(bare) {
      const server = await startGitHubServer({ repos: { 'acme/app': bare }, token: TOKEN });
      return { server, apiBaseUrl: server.url };
    },
  },
  {
    type: 'gitlab',
    project: 'acme/platform/app',
    async start(bare) {
      const server = await startGitlabServer({ repos: { 'acme/platform/app': bare }, token: TOKEN });
      return { server, apiBaseUrl: server.apiUrl };
    },
  },
  {
    type: 'gitea',
    project: 'acme/app',
    async start(bare) {
      const server = await startGiteaServer({ repos: { 'acme/app': bare }, token: TOKEN });
      return { server, apiBaseUrl: server.apiUrl };
    },
  },
];

describe.each(FORGES)('sentry-git watch with repo_type $type against a loopback forge', (forge) => {
  it('detects pushes on exact and regex branches among more than 100, with / and # in names', async () => {
    const remote = await gitdir({ branches: ['main'] });
    // 120 more branches in one push: the branch list spans several pages.
    const refspecs = Array.from(
      { length: 120 },
      (_, i) => `HEAD:refs/heads/many/${String(i).padStart(3, '0')}`,
    );
    await git(remote.work, 'push', '--quiet', 'origin', ...refspecs, 'HEAD:refs/heads/feature/#123');
    const { server, apiBaseUrl } = await forge.start(remote.bare);
    onTestFinished(() => server.close());

    const dir = await tempdir();
    await writeFile(path.join(dir, '.env'), `FORGE_TOKEN=${TOKEN}\n`);
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `polling_interval: 1
global: { tmp_dir: ./jobs }
repositories:
  - name: app
    monitor:
      repo_url: https://forge.invalid/${forge.project}.git
      api_base_url: ${apiBaseUrl}
      repo_type: ${forge.type}
      branches: ["main", "many/11.", "feature/#123"]
      auth: { token: "\${FORGE_TOKEN}" }
    deploy:
      commands: ['echo "$SENTRY_BRANCH $SENTRY_COMMIT" >> "$LOG"']
`,
    );
    const log = path.join(dir, 'deploys.log');
    const env = { LOG: log };
    const baseline = await cli(['watch', '--once'], { cwd: dir, env });
    expect(baseline.stderr).not.toContain('"level":50');
    expect(baseline.exitCode).toBe(0);

    const main = await remote.commit('main');
    const many = await remote.commit('many/115');
    const feature = await remote.commit('feature/#123');
    await remote.commit('many/020');
    const result = await cli(['watch', '--once'], { cwd: dir, env });
    expect(result.exitCode).toBe(0);
    const deployed = (await readFile(log, 'utf8')).trim().split('\n').sort();
    expect(deployed).toEqual([`feature/#123 ${feature}`, `main ${main}`, `many/115 ${many}`].sort());
    expect(server.unexpected()).toEqual([]);
    expect(result.stderr).not.toContain(TOKEN);
  });
});
