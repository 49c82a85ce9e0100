import { describe, expect, it } from 'vitest';
import { statusBody } from '../src/index.js';
import { githubRemote, signal, testProvider } from './helpers.js';

describe('setCommitStatus', () => {
  it('posts state, target_url, description and context to /statuses/{sha}', async () => {
    const { repo, server, target } = await githubRemote();
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
      { state: 'success', description: 'deployed', context: 'qa/deploy' },
      { signal: signal() },
    );
    expect(server.statuses(sha)).toMatchObject([
      {
        state: 'pending',
        description: 'deploying rag-service',
        target_url: 'https://ci.example.com/runs/7',
        context: 'sentry-git/deploy',
      },
      { state: 'success', description: 'deployed', target_url: null, context: 'qa/deploy' },
    ]);
    const posts = server.requests.filter((request) => request.method === 'POST');
    expect(posts.map((request) => request.path)).toEqual([
      `/repos/acme/demo/statuses/${sha}`,
      `/repos/acme/demo/statuses/${sha}`,
    ]);
    expect(JSON.parse(posts[0]!.body)).toEqual({
      state: 'pending',
      target_url: 'https://ci.example.com/runs/7',
      description: 'deploying rag-service',
      context: 'sentry-git/deploy',
    });
    expect(posts[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(server.unexpected()).toEqual([]);
  });

  it('cuts a description to GitHub’s 140 characters and uses the context option', () => {
    const body = statusBody({ state: 'failure', description: 'x'.repeat(300) }, 'custom/ctx');
    expect([...body.description!]).toHaveLength(140);
    expect(body.description!.endsWith('…')).toBe(true);
    expect(body).toMatchObject({ state: 'failure', context: 'custom/ctx' });
    expect(body).not.toHaveProperty('target_url');
    expect(() => statusBody({ state: 'running' as never }, 'c')).toThrow(/PROVIDER_INVALID_STATUS|running/);
  });

  it('an unknown commit → PROVIDER_NOT_FOUND (GitHub: 422 No commit found for SHA)', async () => {
    const { repo, target } = await githubRemote();
    await repo.commit('main');
    await expect(
      testProvider().setCommitStatus!(target, 'f'.repeat(40), { state: 'error' }, { signal: signal() }),
    ).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('No commit found'),
    });
  });
});
