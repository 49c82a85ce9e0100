import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { git } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { calls, giteaServer, provider, rejected, remote } from './helpers.js';

const signal = () => new AbortController().signal;

describe('changedFiles', () => {
  it('reads a multi-commit range from the compare API: commits oldest first, both names of a rename', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const base = await fixture.repo.commit('main', {
      'k8s/service.yaml': 'replicas: 2\n',
      'README.md': 'hi\n',
    });
    await mkdir(path.join(fixture.repo.work, 'deploy'));
    await git(fixture.repo.work, 'mv', 'k8s/service.yaml', 'deploy/service.yaml');
    await git(fixture.repo.work, 'commit', '--quiet', '-m', 'Move the manifests under deploy/');
    await git(fixture.repo.work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    const moved = await git(fixture.repo.work, 'rev-parse', 'HEAD');
    const raised = await fixture.repo.commit(
      'main',
      { 'deploy/service.yaml': 'replicas: 3\n' },
      'Raise replicas\n\n[skip deploy] maybe',
    );
    const docs = await fixture.repo.commit('main', { 'docs/guide.md': '# Guide\n' }, 'Add a guide');

    const result = await provider().changedFiles!(fixture.target, base, docs, {
      signal: signal(),
      cacheDir: '/unused',
    });

    expect(result.commits).toEqual([
      { sha: moved, message: 'Move the manifests under deploy/' },
      { sha: raised, message: 'Raise replicas\n\n[skip deploy] maybe' },
      { sha: docs, message: 'Add a guide' },
    ]);
    expect([...result.files].sort()).toEqual(['deploy/service.yaml', 'docs/guide.md', 'k8s/service.yaml']);
    expect(calls(server)).toEqual([`GET /api/v1/repos/team/app/compare/${base}...${docs}`]);
  });

  it('reports the quota the comparison’s answer left, for the engine’s quota budget', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const server = await giteaServer({ rateLimit: { limit: 100, remaining: 40, resetAt } });
    const fixture = await remote(server, 'team/app');
    const base = await fixture.commit('main');
    const head = await fixture.repo.commit('main', { 'app.txt': 'a\n' }, 'Change the app');
    const result = await provider().changedFiles!(fixture.target, base, head, {
      signal: signal(),
      cacheDir: '/unused',
    });
    expect(result.files).toEqual(['app.txt']);
    expect(result.rateLimit).toEqual({ limit: 100, remaining: 39, resetAt: resetAt.toISOString() });
  });

  it('gives the commits since the merge base after a force push, and nothing for an empty range', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const base = await fixture.commit('main');
    const old = await fixture.commit('main');
    await git(fixture.repo.work, 'reset', '--hard', base);
    const rewritten = await fixture.repo.commit('main', { 'new.txt': 'new\n' }, 'Rewritten history');

    const result = await provider().changedFiles!(fixture.target, old, rewritten, {
      signal: signal(),
      cacheDir: '',
    });
    expect(result).toEqual({
      files: ['new.txt'],
      commits: [{ sha: rewritten, message: 'Rewritten history' }],
    });

    const empty = await provider().changedFiles!(fixture.target, rewritten, rewritten, {
      signal: signal(),
      cacheDir: '',
    });
    expect(empty).toEqual({ files: [], commits: [] });
  });

  it('a commit the server does not have → PROVIDER_NOT_FOUND', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const head = await fixture.commit('main');
    const error = await rejected(
      provider().changedFiles!(fixture.target, 'f'.repeat(40), head, { signal: signal(), cacheDir: '' }),
    );
    expect(error.code).toBe('PROVIDER_NOT_FOUND');
    expect(error.message).toContain('compare ffffffffffff');
  });
});

describe('setCommitStatus', () => {
  it('posts the status to /statuses/{sha} with the default context', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const sha = await fixture.commit('main');

    await provider().setCommitStatus!(
      fixture.target,
      sha,
      { state: 'pending', description: 'Deploying to qa', targetUrl: 'https://sentry.example.com/runs/1' },
      { signal: signal() },
    );
    await provider({ statusContext: 'ci/deploy' }).setCommitStatus!(
      fixture.target,
      sha,
      { state: 'failure', description: `Failed: ${'x'.repeat(300)}` },
      { signal: signal() },
    );
    await provider().setCommitStatus!(
      fixture.target,
      sha,
      { state: 'success', context: 'qa/rag' },
      { signal: signal() },
    );

    expect(calls(server)).toEqual(Array(3).fill(`POST /api/v1/repos/team/app/statuses/${sha}`));
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      state: 'pending',
      context: 'sentry-git/deploy',
      description: 'Deploying to qa',
      target_url: 'https://sentry.example.com/runs/1',
    });
    expect(server.statuses.map((s) => [s.state, s.context, s.description.length])).toEqual([
      ['pending', 'sentry-git/deploy', 15],
      ['failure', 'ci/deploy', 140],
      ['success', 'qa/rag', 0],
    ]);
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('without a token → PROVIDER_AUTH_FAILED (Gitea: 401 token is required)', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const sha = await fixture.commit('main');
    const error = await rejected(
      provider().setCommitStatus!(
        { ...fixture.target, auth: undefined },
        sha,
        { state: 'success' },
        { signal: signal() },
      ),
    );
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('token is required');
    expect(server.statuses).toEqual([]);
  });
});
