import { git } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { gitlabRemote, PROJECT, requestsTo, signal, TOKEN, testProvider } from './helpers.js';

const ENCODED_PROJECT = encodeURIComponent(PROJECT);

describe('setCommitStatus', () => {
  it('posts GitLab states with name, description and target_url to /projects/:id/statuses/:sha', async () => {
    const { repo, server, target } = await gitlabRemote();
    const sha = await repo.commit('main');
    const provider = testProvider();
    await provider.setCommitStatus!(
      target,
      sha,
      { state: 'pending', description: 'deploying rag-service', targetUrl: 'https://ci.example.com/runs/7' },
      { signal: signal() },
    );
    await provider.setCommitStatus!(
      target,
      sha,
      { state: 'success', description: 'deployed' },
      { signal: signal() },
    );
    await provider.setCommitStatus!(
      target,
      sha,
      { state: 'failure', context: 'sentry-git/qa' },
      { signal: signal() },
    );
    await provider.setCommitStatus!(
      target,
      sha,
      { state: 'error', context: 'sentry-git/other' },
      { signal: signal() },
    );

    const posted = requestsTo(server, 'set commit status');
    expect(posted.map((request) => request.path)).toEqual(
      Array(4).fill(`/api/v4/projects/${ENCODED_PROJECT}/statuses/${sha}`),
    );
    expect(posted[0]?.headers['private-token']).toBe(TOKEN);
    expect(JSON.parse(posted[0]!.body)).toEqual({
      state: 'running',
      name: 'sentry-git/deploy',
      description: 'deploying rag-service',
      target_url: 'https://ci.example.com/runs/7',
    });
    expect(
      server.statuses(sha).map(({ status, name, description }) => ({ status, name, description })),
    ).toEqual([
      { status: 'running', name: 'sentry-git/deploy', description: 'deploying rag-service' },
      { status: 'success', name: 'sentry-git/deploy', description: 'deployed' },
      { status: 'failed', name: 'sentry-git/qa', description: null },
      { status: 'failed', name: 'sentry-git/other', description: null },
    ]);
    expect(server.unexpected()).toEqual([]);
  });

  it('trims a long description to 255 characters and uses the statusContext option', async () => {
    const { repo, server, target } = await gitlabRemote();
    const sha = await repo.commit('main');
    await testProvider({ statusContext: 'deploy/prod' }).setCommitStatus!(
      target,
      sha,
      { state: 'success', description: 'x'.repeat(400) },
      { signal: signal() },
    );
    const [status] = server.statuses(sha);
    expect(status?.name).toBe('deploy/prod');
    expect(status?.description).toHaveLength(255);
  });

  it('takes "Cannot transition status" for the same state as already done', async () => {
    const { repo, server, target } = await gitlabRemote();
    const sha = await repo.commit('main');
    const provider = testProvider();
    await provider.setCommitStatus!(target, sha, { state: 'pending' }, { signal: signal() });
    await provider.setCommitStatus!(target, sha, { state: 'pending' }, { signal: signal() });
    expect(requestsTo(server, 'set commit status').map((request) => request.status)).toEqual([201, 400]);
    expect(server.statuses(sha)).toHaveLength(1);
  });

  it('reports an unknown commit as PROVIDER_NOT_FOUND', async () => {
    const { repo, target } = await gitlabRemote();
    await repo.commit('main');
    const error = await testProvider().setCommitStatus!(
      target,
      'f'.repeat(40),
      { state: 'success' },
      { signal: signal() },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
    expect((error as Error).message).toContain('404 Commit Not Found');
  });
});

describe('changedFiles', () => {
  it('lists both names of a rename and the commits from..to oldest first with messages', async () => {
    const { repo, server, target } = await gitlabRemote();
    const base = await repo.commit('main', { 'docs/old.md': 'old\n', 'app/keep.txt': 'keep\n' }, 'base');
    const second = await repo.commit('main', { 'app/main.ts': 'export {};\n' }, 'add main\n\nwith a body');
    await git(repo.work, 'mv', 'docs/old.md', 'docs/new.md');
    await git(repo.work, 'commit', '--quiet', '-m', 'rename docs [skip deploy]');
    await git(repo.work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    const third = await git(repo.work, 'rev-parse', 'HEAD');
    const fourth = await repo.commit('main', { 'app/keep.txt': 'changed\n' }, 'change keep');

    const result = await testProvider().changedFiles!(target, base, fourth, {
      signal: signal(),
      cacheDir: '/nonexistent',
    });
    expect([...result.files].sort()).toEqual(['app/keep.txt', 'app/main.ts', 'docs/new.md', 'docs/old.md']);
    expect(result.commits).toEqual([
      { sha: second, message: 'add main\n\nwith a body' },
      { sha: third, message: 'rename docs [skip deploy]' },
      { sha: fourth, message: 'change keep' },
    ]);
    const [request] = requestsTo(server, 'compare');
    expect(request?.path).toBe(`/api/v4/projects/${ENCODED_PROJECT}/repository/compare`);
    expect(request?.query.get('from')).toBe(base);
    expect(request?.query.get('to')).toBe(fourth);
    expect(server.unexpected()).toEqual([]);
  });

  it('reports the quota the comparison’s answer left, for the engine’s quota budget', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const { repo, target } = await gitlabRemote({ rateLimit: { limit: 2000, remaining: 700, resetAt } });
    const base = await repo.commit('main');
    const head = await repo.commit('main', { 'app/a.txt': 'a\n' }, 'change a');
    const result = await testProvider().changedFiles!(target, base, head, {
      signal: signal(),
      cacheDir: '/nonexistent',
    });
    expect(result.files).toEqual(['app/a.txt']);
    expect(result.rateLimit).toEqual({ limit: 2000, remaining: 699, resetAt: resetAt.toISOString() });
  });

  it('answers an empty range without a request', async () => {
    const { repo, server, target } = await gitlabRemote();
    const sha = await repo.commit('main');
    expect(
      await testProvider().changedFiles!(target, sha, sha, { signal: signal(), cacheDir: '/nonexistent' }),
    ).toEqual({ files: [], commits: [] });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a comparison GitLab cut short (compare_timeout) instead of a short list', async () => {
    const { repo, server, target } = await gitlabRemote();
    const a = await repo.commit('main');
    const b = await repo.commit('main');
    server.fault({
      status: 200,
      path: /compare/,
      body: { commit: null, commits: [], diffs: [], compare_timeout: true, compare_same_ref: false },
    });
    const error = await testProvider().changedFiles!(target, a, b, {
      signal: signal(),
      cacheDir: '/nonexistent',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE' });
  });

  it('reports an unknown ref as PROVIDER_NOT_FOUND', async () => {
    const { repo, target } = await gitlabRemote();
    const a = await repo.commit('main');
    const error = await testProvider().changedFiles!(target, a, 'e'.repeat(40), {
      signal: signal(),
      cacheDir: '/nonexistent',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
  });
});
