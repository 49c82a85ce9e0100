import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSentry } from '@sentry-git/core';
// The workspace has no dependency edge to the shell executor yet; its source is imported directly.
import shellPlugin from '@sentry-git/executor-shell';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import giteaPlugin from '../src/index.js';
import { calls, commitMany, giteaServer, remote, TOKEN } from './helpers.js';

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
}

describe('the engine with the Gitea provider', () => {
  it('baselines, then deploys pushes to main, a regex branch among 120 (one ref answer), and feature/#123', async () => {
    const server = await giteaServer();
    const app = await remote(server, 'team/app');
    const lit = await remote(server, 'team/lit');
    await app.commit('main');
    await commitMany(
      app.repo,
      Array.from({ length: 120 }, (_, i) => `many/${String(i).padStart(3, '0')}`),
    );
    await app.commit('feature/#123');
    await app.commit('unwatched');
    await lit.commit('main');
    await lit.commit('feature/#123');

    const dir = await tempdir();
    const log = path.join(dir, 'deploys.log');
    const deploy = {
      commands: ['echo "$SENTRY_REPO $SENTRY_BRANCH $SENTRY_COMMIT" >> "$LOG"'],
      env: { LOG: log },
    };
    const sentry = await createSentry({
      config: {
        state: { driver: 'memory' },
        global: { tmp_dir: path.join(dir, 'jobs') },
        repositories: [
          {
            name: 'app',
            monitor: {
              repo_url: app.target.url,
              branches: ['main', 'many/.*', 'feature/#123'],
              repo_type: 'gitea',
              auth: { token: TOKEN },
              api_base_url: server.apiUrl,
            },
            deploy,
          },
          {
            // Literal names only: read branch by branch; Forgejo shares the implementation.
            name: 'lit',
            monitor: {
              repo_url: `git@forgejo.example.invalid:team/lit.git`,
              branches: ['main', 'feature/#123'],
              repo_type: 'forgejo',
              auth: { token: TOKEN },
              api_base_url: server.url,
            },
            deploy,
          },
        ],
      },
      configDir: dir,
      plugins: [giteaPlugin, shellPlugin],
      env: {},
    });

    try {
      const first = await sentry.pollOnce();
      expect(first).toMatchObject({ checked: 2, changed: 0, errors: 0, runs: [] });
      expect(calls(server).filter((call) => call.includes('/team/app/'))).toEqual([
        'GET /api/v1/repos/team/app/git/refs/heads',
      ]);
      expect(calls(server)).toContain('GET /api/v1/repos/team/lit/branches/feature%2F%23123');
      expect(calls(server).filter((call) => call.includes('/team/lit/branches?'))).toEqual([]);

      const main = await app.commit('main');
      const many = await app.commit('many/042');
      const feature = await app.commit('feature/#123');
      await app.commit('unwatched');
      const litFeature = await lit.commit('feature/#123');

      const second = await sentry.pollOnce();
      expect(second).toMatchObject({ checked: 2, changed: 4, errors: 0 });
      const runs = await sentry.waitForRuns(second.runs.map((run) => run.id));
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
      expect(await lines(log)).toEqual(
        [
          `app main ${main}`,
          `app many/042 ${many}`,
          `app feature/#123 ${feature}`,
          `lit feature/#123 ${litFeature}`,
        ].sort(),
      );

      const third = await sentry.pollOnce();
      expect(third).toMatchObject({ changed: 0, errors: 0, runs: [] });
    } finally {
      await sentry.close({ graceMs: 0 });
    }
  });
});
