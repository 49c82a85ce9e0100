import { isSentryError } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { gitlabAddress } from '../src/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('gitlabAddress', () => {
  it.each([
    ['https://gitlab.com/acme/app.git', 'https://gitlab.com/api/v4', 'acme/app'],
    ['https://gitlab.com/acme/app', 'https://gitlab.com/api/v4', 'acme/app'],
    ['https://gitlab.com/acme/platform/sub/app.git/', 'https://gitlab.com/api/v4', 'acme/platform/sub/app'],
    ['https://gitlab.com/acme/app/-/tree/main', 'https://gitlab.com/api/v4', 'acme/app'],
    ['git@gitlab.com:acme/platform/app.git', 'https://gitlab.com/api/v4', 'acme/platform/app'],
    ['gitlab.example.com:team/app.git', 'https://gitlab.example.com/api/v4', 'team/app'],
    ['ssh://git@gitlab.example.com:2222/team/app.git', 'https://gitlab.example.com/api/v4', 'team/app'],
    ['git://gitlab.example.com/team/app.git', 'https://gitlab.example.com/api/v4', 'team/app'],
    ['http://127.0.0.1:8080/team/app.git', 'http://127.0.0.1:8080/api/v4', 'team/app'],
    ['https://oauth2:glpat-xyz@gitlab.com/acme/app.git', 'https://gitlab.com/api/v4', 'acme/app'],
  ])('%s → %s, %s', (url, api, project) => {
    const address = gitlabAddress('demo', url);
    expect(address.apiBaseUrl).toBe(api);
    expect(address.projectPath).toBe(project);
  });

  it('never keeps credentials in the display URL', () => {
    const address = gitlabAddress('demo', 'https://oauth2:glpat-xyz@gitlab.com/acme/app.git');
    expect(address.displayUrl).toBe('https://gitlab.com/acme/app.git');
  });

  it('takes api_base_url as given (http allowed) and strips a relative URL root it names', () => {
    expect(gitlabAddress('demo', 'https://git.example.com/team/app.git', 'http://10.0.0.5/api/v4/')).toEqual({
      apiBaseUrl: 'http://10.0.0.5/api/v4',
      projectPath: 'team/app',
      displayUrl: 'https://git.example.com/team/app.git',
    });
    const rooted = gitlabAddress(
      'demo',
      'https://example.com/gitlab/team/app.git',
      'https://example.com/gitlab/api/v4',
    );
    expect(rooted.apiBaseUrl).toBe('https://example.com/gitlab/api/v4');
    expect(rooted.projectPath).toBe('team/app');
  });

  it.each([
    ['file:///srv/git/app.git'],
    ['/srv/git/app.git'],
    ['https://gitlab.com/only-a-group'],
    ['https://gitlab.com/'],
  ])('refuses %s with PROVIDER_BAD_URL naming the repository', (url) => {
    const error = thrown(() => gitlabAddress('my-repo', url));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_BAD_URL');
    expect((error as Error).message).toContain('my-repo');
  });

  it('refuses a bad api_base_url', () => {
    const error = thrown(() => gitlabAddress('my-repo', 'https://gitlab.com/a/b', 'not a url'));
    expect(isSentryError(error) && error.code).toBe('PROVIDER_BAD_URL');
  });
});
