import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin, type GitProvider, RateLimitError, SentryError } from '@sentry-git/core';
import { gitProvider } from '@sentry-git/provider-git';
import { git, gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { engine, lines, recordEvents, repo } from './helpers.js';

/** A forge provider stand-in: lists heads through git, with the behaviour a test needs on top. */
function forge(id: string, overrides: Partial<GitProvider>) {
  const provider: GitProvider = {
    id,
    capabilities: { changedFiles: true, commitStatus: true, webhooks: false },
    listHeads: (target, options) => gitProvider.listHeads(target, options),
    changedFiles: (target, from, to, options) => gitProvider.changedFiles!(target, from, to, options),
    ...overrides,
  };
  return definePlugin({ name: `test-${id}`, providers: [provider] });
}

describe('path filters and skip markers', () => {
  it('skips pushes that touch only ignored paths or carry the marker, and judges the range since the last deploy', async () => {
    const remote = await gitdir({ branches: ['main'], files: { 'src/app.ts': 'v0\n' } });
    const log = path.join(await tempdir(), 'deploys.log');
    const sentry = await engine({
      repositories: [
        {
          name: 'app',
          monitor: {
            repo_url: remote.bare,
            branches: ['main'],
            paths: ['src/**'],
            ignore_paths: ['src/**/*.md'],
          },
          deploy: { commands: ['echo "$SENTRY_COMMIT" >> "$LOG"'], env: { LOG: log } },
        },
      ],
    });
    const changes = recordEvents(sentry, ['change']);
    await sentry.pollOnce();

    await remote.commit('main', { 'docs/guide.md': 'docs\n' }, 'docs only');
    expect((await sentry.pollOnce()).runs).toEqual([]);
    await remote.commit('main', { 'src/notes.md': 'notes\n' }, 'ignored file under src');
    expect((await sentry.pollOnce()).runs).toEqual([]);
    const marked = await remote.commit('main', { 'src/app.ts': 'v1\n' }, 'fix\n\n[skip deploy]');
    expect((await sentry.pollOnce()).runs).toEqual([]);
    expect(changes.map(([, c]) => c.skipped)).toEqual([
      'no changed file matches monitor.paths',
      'only files in monitor.ignore_paths changed',
      'the newest commit carries [skip deploy]',
    ]);

    // Nothing was deployed since the baseline: this docs-only push's range includes src/app.ts.
    const docs = await remote.commit('main', { 'docs/more.md': 'more\n' }, 'more docs');
    const { runs } = await sentry.pollOnce();
    await sentry.waitForRuns(runs.map((r) => r.id));
    expect(await lines(log)).toEqual([docs]);
    expect(marked).not.toBe(docs);

    // One push with two commits, the first touching src: the range deploys.
    await git(remote.work, 'checkout', '--quiet', 'main');
    await git(remote.work, 'commit', '--quiet', '--allow-empty', '-m', 'empty');
    const source = path.join(remote.work, 'src', 'app.ts');
    await writeFile(source, 'v2\n');
    await git(remote.work, 'commit', '--quiet', '-am', 'src change');
    const last = await remote.commit('main', { 'docs/last.md': 'x\n' }, 'docs after it');
    const second = await sentry.pollOnce();
    await sentry.waitForRuns(second.runs.map((r) => r.id));
    expect(await lines(log)).toEqual([docs, last]);
  });
});

describe('rate limits and fallbacks', () => {
  it('a rate-limited repository waits for the reset while the others keep deploying', async () => {
    const limited = await gitdir({ branches: ['main'] });
    const free = await gitdir({ branches: ['main'] });
    const resetAt = new Date(Date.now() + 3600_000);
    const plugin = forge('limited-forge', {
      listHeads: async () => {
        throw new RateLimitError('API rate limit exceeded for the test token.', { resetAt, limit: 5000 });
      },
    });
    const sentry = await engine(
      {
        repositories: [
          {
            name: 'limited',
            monitor: { repo_url: limited.bare, branches: ['main'], repo_type: 'limited-forge' },
            deploy: { commands: ['true'] },
          },
          repo('free', free.bare, ['true']),
        ],
      },
      { plugins: [plugin] },
    );
    const events = recordEvents(sentry, ['ratelimit', 'poll:error']);
    await sentry.pollOnce();
    await free.commit('main');
    const { runs, errors } = await sentry.pollOnce();
    expect(errors).toBe(1);
    expect(runs.map((run) => run.unit)).toEqual(['repository:free']);
    const ratelimit = events.find(([name]) => name === 'ratelimit')![1] as {
      rateLimit: { remaining: number; resetAt: string };
    };
    expect(ratelimit.rateLimit).toMatchObject({ remaining: 0, resetAt: resetAt.toISOString(), limit: 5000 });
    const status = await sentry.status();
    const next = Date.parse(status.find((s) => s.name === 'limited')!.health.lastPollAt!);
    expect(next).toBeLessThan(resetAt.getTime());
    expect(events.find(([name]) => name === 'poll:error')![1]).toMatchObject({
      repository: 'limited',
      nextPollAt: new Date(resetAt.getTime() + 1000).toISOString(),
    });
  });

  it('falls back to git ls-remote when the API is unreachable and fallback_to_git is set', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const plugin = forge('down-forge', {
      listHeads: async () => {
        throw new SentryError('PROVIDER_UNREACHABLE', 'The API did not answer.');
      },
    });
    const config = (fallback: boolean) => ({
      repositories: [
        {
          name: 'app',
          monitor: {
            repo_url: remote.bare,
            branches: ['main'],
            repo_type: 'down-forge',
            fallback_to_git: fallback,
          },
          deploy: { commands: ['true'] },
        },
      ],
    });
    const without = await engine(config(false), { plugins: [plugin] });
    expect((await without.pollOnce()).errors).toBe(1);
    const withFallback = await engine(config(true), { plugins: [plugin] });
    await withFallback.pollOnce();
    const sha = await remote.commit('main');
    const { runs, errors } = await withFallback.pollOnce();
    expect(errors).toBe(0);
    expect(runs[0]?.jobs[0]?.sha).toBe(sha);
  });
});

describe('commit statuses', () => {
  it('reports pending, then success or failure, on the deployed commit', async () => {
    const remote = await gitdir({ branches: ['main', 'dev'] });
    const reported: Array<[string, string, string, string | undefined]> = [];
    const plugin = forge('status-forge', {
      setCommitStatus: async (target, sha, status) => {
        reported.push([target.repository, sha, status.state, status.context]);
      },
    });
    const sentry = await engine(
      {
        repositories: [
          {
            name: 'app',
            monitor: {
              repo_url: remote.bare,
              branches: ['main', 'dev'],
              repo_type: 'status-forge',
              report_status: true,
            },
            deploy: { commands: ['test "$SENTRY_BRANCH" = main'] },
          },
        ],
      },
      { plugins: [plugin] },
    );
    await sentry.pollOnce();
    const main = await remote.commit('main');
    const dev = await remote.commit('dev');
    const { runs } = await sentry.pollOnce();
    await sentry.waitForRuns(runs.map((r) => r.id));
    await sentry.close();
    expect(reported).toEqual([
      ['app', dev, 'pending', 'sentry-git/app'],
      ['app', dev, 'failure', 'sentry-git/app'],
      ['app', main, 'pending', 'sentry-git/app'],
      ['app', main, 'success', 'sentry-git/app'],
    ]);
  });
});
