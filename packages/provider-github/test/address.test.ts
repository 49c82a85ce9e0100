import { isSentryError } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { apiBaseUrl, parseRepoAddress } from '../src/index.js';
import { githubRemote, signal, testProvider } from './helpers.js';

function address(url: string) {
  const { owner, repo } = parseRepoAddress(url, 'demo');
  return `${owner}/${repo}`;
}

function base(url: string, override?: string) {
  return apiBaseUrl(parseRepoAddress(url, 'demo'), override);
}

describe('addressing', () => {
  it.each([
    ['https://github.com/acme/app', 'acme/app'],
    ['https://github.com/acme/app.git', 'acme/app'],
    ['https://github.com/acme/app/', 'acme/app'],
    ['https://x-access-token:secret@github.com/acme/app.git', 'acme/app'],
    ['https://github.com/acme/app/tree/main', 'acme/app'],
    ['git@github.com:acme/app.git', 'acme/app'],
    ['github.com:acme/app', 'acme/app'],
    ['ssh://git@github.com/acme/app.git', 'acme/app'],
    ['ssh://git@ghe.example.com:2222/team/tool.git', 'team/tool'],
    ['https://ghe.example.com:8443/team/tool', 'team/tool'],
    ['http://127.0.0.1:3000/acme/app.git', 'acme/app'],
  ])('reads owner/repo from %s', (url, expected) => {
    expect(address(url)).toBe(expected);
  });

  it.each([
    ['https://github.com/acme/app', 'https://api.github.com'],
    ['git@github.com:acme/app.git', 'https://api.github.com'],
    ['https://www.github.com/acme/app', 'https://api.github.com'],
    ['https://ghe.example.com/team/tool', 'https://ghe.example.com/api/v3'],
    ['https://ghe.example.com:8443/team/tool', 'https://ghe.example.com:8443/api/v3'],
    ['ssh://git@ghe.example.com:2222/team/tool.git', 'https://ghe.example.com/api/v3'],
    ['git@ghe.example.com:team/tool.git', 'https://ghe.example.com/api/v3'],
    ['http://ghe.internal/team/tool', 'http://ghe.internal/api/v3'],
    ['https://octocorp.ghe.com/team/tool', 'https://api.octocorp.ghe.com'],
  ])('derives the API root of %s', (url, expected) => {
    expect(base(url)).toBe(expected);
  });

  it('lets monitor.api_base_url win, http included, without a trailing slash', () => {
    expect(base('https://github.com/acme/app', 'http://127.0.0.1:9999/')).toBe('http://127.0.0.1:9999');
    expect(base('git@ghe.example.com:t/r.git', 'https://api.ghe.example.com/v3')).toBe(
      'https://api.ghe.example.com/v3',
    );
  });

  it.each([
    'https://github.com/acme',
    'https://github.com/',
    '/srv/git/app.git',
    'file:///srv/git/app.git',
    'not a url',
  ])('refuses %s with PROVIDER_INVALID_URL naming the repository', (url) => {
    let caught: unknown;
    try {
      parseRepoAddress(url, 'my-repo');
    } catch (error) {
      caught = error;
    }
    expect(isSentryError(caught) && caught.code).toBe('PROVIDER_INVALID_URL');
    expect((caught as Error).message).toContain('my-repo');
  });

  it('keeps a password in the URL out of the error', () => {
    expect(() => parseRepoAddress('https://user:hunter2secret@github.com/', 'r')).toThrow(/REDACTED/);
    expect(() => parseRepoAddress('https://user:hunter2secret@github.com/', 'r')).not.toThrow(
      /hunter2secret/,
    );
  });
});

describe('URL encoding on the wire', () => {
  it('encodes owner, repository and branch names with / and # in the request path', async () => {
    const { repo, server, target } = await githubRemote();
    const sha = await repo.commit('feature/#123');
    const provider = testProvider();
    const result = await provider.listHeads(target, {
      match: (branch) => branch === 'feature/#123',
      patterns: ['feature/#123'],
      signal: signal(),
    });
    expect(result.heads).toEqual([{ branch: 'feature/#123', sha }]);
    expect(server.requests.map((request) => request.path)).toEqual([
      '/repos/acme/demo/commits/heads%2Ffeature%2F%23123',
    ]);
    expect(server.unexpected()).toEqual([]);
  });
});
