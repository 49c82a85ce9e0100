import { isSentryError } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import plugin, { createGitlabProvider, type GitlabProviderOptions, gitlabProvider } from '../src/index.js';

describe('plugin and options', () => {
  it('registers one provider with id gitlab and honest capabilities', () => {
    expect(plugin.name).toBe('@sentry-git/provider-gitlab');
    expect(plugin.providers).toEqual([gitlabProvider]);
    expect(gitlabProvider.id).toBe('gitlab');
    expect(gitlabProvider.capabilities).toEqual({
      changedFiles: true,
      commitStatus: true,
      webhooks: true,
    });
  });

  it.each<[GitlabProviderOptions, string]>([
    [{ perPage: 0 }, 'perPage'],
    [{ perPage: 101 }, 'perPage'],
    [{ retries: -1 }, 'retries'],
    [{ retries: 1.5 }, 'retries'],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    [{ retryBaseMs: 100, retryMaxMs: 10 }, 'retryMaxMs'],
    [{ authScheme: 'basic' as 'bearer' }, 'authScheme'],
    [{ statusContext: ' ' }, 'statusContext'],
  ])('refuses %j with PROVIDER_OPTIONS_INVALID naming %s', (options, name) => {
    let error: unknown;
    try {
      createGitlabProvider(options);
    } catch (caught) {
      error = caught;
    }
    expect(isSentryError(error) && error.code).toBe('PROVIDER_OPTIONS_INVALID');
    expect((error as Error).message).toContain(name);
  });

  it('rejects listHeads for a URL that names no project with PROVIDER_BAD_URL', async () => {
    const error = await gitlabProvider
      .listHeads(
        { repository: 'local', url: '/srv/git/app.git', type: 'gitlab' },
        { match: () => true, signal: new AbortController().signal },
      )
      .catch((e: unknown) => e);
    expect(isSentryError(error) && error.code).toBe('PROVIDER_BAD_URL');
  });
});
