import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSentry } from '@sentry-git/core';
// executor-shell is not a dependency of this package (no install here); its source is imported by path.
import shellPlugin from '@sentry-git/executor-shell';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import gitlabPlugin from '../src/index.js';
import { fastImportBranches, gitlabRemote, PROJECT, requestsTo, TOKEN } from './helpers.js';

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('engine: createSentry + provider-gitlab + executor-shell', () => {
  it('baselines, then deploys pushes to main, a regex branch among >100 and feature/#123', async () => {
    const { repo, server } = await gitlabRemote();
    const dir = await tempdir();
    const log = path.join(dir, 'deploys.log');
    await repo.commit('main');
    const releases = Array.from({ length: 130 }, (_, index) => `release-${String(index).padStart(3, '0')}`);
    await fastImportBranches(repo.bare, releases);
    await repo.commit('feature/#123');
    await repo.commit('unwatched');

    const sentry = await createSentry({
      config: {
        polling_interval: 60,
        state: { driver: 'memory' },
        global: { tmp_dir: path.join(dir, 'jobs') },
        repositories: [
          {
            name: 'rag-service',
            monitor: {
              // The API root comes from api_base_url; repo_url only names the project.
              repo_url: `https://gitlab.example.invalid/${PROJECT}.git`,
              api_base_url: server.apiUrl,
              repo_type: 'gitlab',
              branches: ['main', 'release-\\d+', 'feature/#123'],
              auth: { token: TOKEN },
            },
            deploy: {
              commands: ['echo "$SENTRY_BRANCH $SENTRY_COMMIT" >> "$DEPLOY_LOG"'],
              env: { DEPLOY_LOG: log },
            },
          },
        ],
      },
      configDir: dir,
      plugins: [gitlabPlugin, shellPlugin],
      env: {},
    });
    try {
      const errors: unknown[] = [];
      sentry.on('poll:error', (payload) => errors.push(payload));

      const first = await sentry.pollOnce();
      expect(first.errors).toBe(0);
      expect(first.runs).toEqual([]);
      expect(await lines(log)).toEqual([]);
      const listed = requestsTo(server, 'list branches').length;
      expect(listed).toBe(2);

      const main = await repo.commit('main');
      const release = await repo.commit('release-042');
      const feature = await repo.commit('feature/#123');
      await repo.commit('unwatched');

      const second = await sentry.pollOnce();
      expect(second.errors).toBe(0);
      expect(second.changed).toBe(3);
      await sentry.waitForRuns(second.runs.map((run) => run.id));
      expect((await lines(log)).sort()).toEqual(
        [`feature/#123 ${feature}`, `main ${main}`, `release-042 ${release}`].sort(),
      );
      expect(errors).toEqual([]);

      // A cycle with nothing new deploys nothing more.
      const third = await sentry.pollOnce();
      expect(third.changed).toBe(0);
      expect(await lines(log)).toHaveLength(3);
      expect(server.unexpected()).toEqual([]);
    } finally {
      await sentry.close();
    }
  });
});
