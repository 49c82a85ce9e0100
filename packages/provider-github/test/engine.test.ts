import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSentry } from '@sentry-git/core';
// @sentry-git/executor-shell is not (yet) a devDependency of this package, so it is reached by path.
import shellExecutor from '@sentry-git/executor-shell';
import { gitdir, startGitHubServer, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import githubPlugin from '../src/index.js';
import { fastImportBranches, TOKEN } from './helpers.js';

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
}

function repository(name: string, slug: string, api: string, branches: string[], log: string) {
  return {
    name,
    monitor: {
      repo_url: `https://github.com/${slug}`,
      repo_type: 'github',
      api_base_url: api,
      branches,
      auth: { token: TOKEN },
    },
    deploy: { commands: ['echo "$SENTRY_BRANCH $SENTRY_COMMIT" >> "$LOG"'], env: { LOG: log } },
  };
}

describe('engine: createSentry + provider-github + executor-shell against the fake GitHub', () => {
  it('baselines, polls unchanged branches for free, and deploys pushes to main, a regex branch among >100 and feature/#123', {
    timeout: 120_000,
  }, async () => {
    const dir = await tempdir();
    const app = await gitdir();
    const lit = await gitdir();
    await app.commit('main');
    await app.commit('feature/#123');
    await fastImportBranches(
      app.bare,
      Array.from({ length: 120 }, (_, index) => `many/${String(index).padStart(3, '0')}`),
    );
    await lit.commit('main');
    await lit.commit('feature/#123');

    const server = await startGitHubServer({
      token: TOKEN,
      repos: { 'acme/app': app.bare, 'acme/lit': lit.bare },
    });
    onTestFinished(() => server.close());
    const appLog = path.join(dir, 'app.log');
    const litLog = path.join(dir, 'lit.log');
    const sentry = await createSentry({
      config: {
        state: { driver: 'memory' },
        global: { tmp_dir: path.join(dir, 'jobs') },
        repositories: [
          // A regex among the patterns: the paginated branch list with page ETags.
          repository('gh-app', 'acme/app', server.url, ['main', 'feature/#123', 'many/1\\d\\d'], appLog),
          // Literal names only: one conditional commits/heads/{branch} probe per branch.
          repository('gh-lit', 'acme/lit', server.url, ['main', 'feature/#123'], litLog),
        ],
      },
      configDir: dir,
      plugins: [githubPlugin, shellExecutor],
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));

    const baseline = await sentry.pollOnce();
    expect(baseline).toMatchObject({ checked: 2, errors: 0, runs: [] });

    // Nothing moved: every request of this cycle is answered 304 and GitHub counts no quota.
    let spent = server.spent();
    let since = server.requests.length;
    const quiet = await sentry.pollOnce();
    expect(quiet).toMatchObject({ checked: 2, changed: 0, errors: 0, runs: [] });
    expect(server.requests.slice(since).length).toBeGreaterThan(0);
    expect(server.requests.slice(since).map((request) => request.status)).toEqual(
      server.requests.slice(since).map(() => 304),
    );
    expect(server.spent() - spent, 'quota spent by an unchanged cycle').toBe(0);
    // gh-app read two branch pages (122 branches), gh-lit probed its two branches.
    expect(
      server.requests
        .slice(since)
        .map((request) => request.route)
        .sort(),
    ).toEqual(['github:branches', 'github:branches', 'github:commit', 'github:commit']);

    const appMain = await app.commit('main');
    const appFeature = await app.commit('feature/#123');
    const appMany = await app.commit('many/105');
    await app.commit('many/042'); // does not match many/1\d\d
    const litFeature = await lit.commit('feature/#123');

    const pushed = await sentry.pollOnce();
    expect(pushed.errors).toBe(0);
    await sentry.waitForRuns(pushed.runs.map((run) => run.id));
    expect(await lines(appLog)).toEqual(
      [`feature/#123 ${appFeature}`, `main ${appMain}`, `many/105 ${appMany}`].sort(),
    );
    expect(await lines(litLog)).toEqual([`feature/#123 ${litFeature}`]);

    // Unchanged again: free again.
    spent = server.spent();
    since = server.requests.length;
    expect(await sentry.pollOnce()).toMatchObject({ changed: 0, errors: 0, runs: [] });
    expect(server.requests.slice(since).every((request) => request.status === 304)).toBe(true);
    expect(server.spent() - spent).toBe(0);
    expect(server.unexpected()).toEqual([]);
    await sentry.close();
  });
});
