import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/index.js';
import { defaultUsername, gitAuthEnv, splitUrlCredentials } from '../src/internal.js';

function basic(user: string, token: string): string {
  return `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

describe('splitUrlCredentials', () => {
  it('takes user and password out of an https URL', () => {
    expect(splitUrlCredentials('https://alice:s3cret@example.com/org/repo.git')).toEqual({
      url: 'https://example.com/org/repo.git',
      username: 'alice',
      password: 's3cret',
    });
  });

  it('decodes percent-encoding and keeps a raw @ inside the password', () => {
    expect(splitUrlCredentials('https://a%40b:p%3Ass@w@example.com:8443/r')).toEqual({
      url: 'https://example.com:8443/r',
      username: 'a@b',
      password: 'p:ss@w',
    });
  });

  it('keeps the user of an ssh:// URL and drops only a password', () => {
    expect(splitUrlCredentials('ssh://git:pw@host:2222/r.git').url).toBe('ssh://git@host:2222/r.git');
    expect(splitUrlCredentials('ssh://git@host/r.git')).toEqual({
      url: 'ssh://git@host/r.git',
      username: 'git',
      password: undefined,
    });
  });

  it('leaves URLs without credentials, scp-like URLs and paths alone', () => {
    for (const url of [
      'https://example.com/r.git',
      'git@github.com:o/r.git',
      '/srv/git/r.git',
      'file:///srv/r.git',
      'git://h/r',
    ]) {
      expect(splitUrlCredentials(url)).toEqual({ url, username: undefined, password: undefined });
    }
  });
});

describe('redactUrl', () => {
  it('hides passwords and lone http(s) user names, keeps ssh users', () => {
    expect(redactUrl('https://alice:s3cret@example.com/r')).toBe('https://alice:[REDACTED]@example.com/r');
    expect(redactUrl('https://ghp_abcdef123456@github.com/o/r')).toBe('https://[REDACTED]@github.com/o/r');
    expect(redactUrl('ssh://git@example.com/r')).toBe('ssh://git@example.com/r');
    expect(redactUrl('ssh://git:pw@example.com/r')).toBe('ssh://git:[REDACTED]@example.com/r');
    expect(redactUrl('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(redactUrl('https://example.com/r')).toBe('https://example.com/r');
  });
});

describe('gitAuthEnv', () => {
  it.each([
    ['github', 'x-access-token'],
    ['gitlab', 'oauth2'],
    ['gitea', 'git'],
    ['git', 'git'],
    [undefined, 'git'],
  ])('uses the default user name for type %s', (type, user) => {
    expect(defaultUsername(type)).toBe(user);
    const result = gitAuthEnv('https://example.com/r.git', { token: 'tok-1234' }, type);
    expect(result).toEqual({
      url: 'https://example.com/r.git',
      env: {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: basic(user, 'tok-1234'),
      },
      secrets: expect.arrayContaining(['tok-1234']),
    });
  });

  it('prefers a configured user name', () => {
    const result = gitAuthEnv(
      'https://example.com/r.git',
      { username: 'alice', token: 'tok-1234' },
      'github',
    );
    expect(result.env.GIT_CONFIG_VALUE_0).toBe(basic('alice', 'tok-1234'));
  });

  it('moves URL credentials into the header; the configured token wins', () => {
    const fromUrl = gitAuthEnv('http://bob:pw-5678@127.0.0.1:8080/r.git', undefined, 'git');
    expect(fromUrl.url).toBe('http://127.0.0.1:8080/r.git');
    expect(fromUrl.env.GIT_CONFIG_VALUE_0).toBe(basic('bob', 'pw-5678'));
    expect(fromUrl.secrets).toContain('pw-5678');
    const both = gitAuthEnv('https://bob:pw-5678@example.com/r.git', { token: 'tok-1234' }, 'git');
    expect(both.env.GIT_CONFIG_VALUE_0).toBe(basic('bob', 'tok-1234'));
    expect(both.secrets).toEqual(expect.arrayContaining(['tok-1234', 'pw-5678']));
  });

  it('hands a lone URL user name to credential helpers, not to argv', () => {
    expect(gitAuthEnv('https://ghp_abcdef123456@github.com/o/r', undefined, 'github')).toEqual({
      url: 'https://github.com/o/r',
      env: {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'credential.username',
        GIT_CONFIG_VALUE_0: 'ghp_abcdef123456',
      },
      secrets: ['ghp_abcdef123456'],
    });
  });

  it('sends nothing without credentials and nothing over non-http transports', () => {
    expect(gitAuthEnv('https://example.com/r.git')).toEqual({
      url: 'https://example.com/r.git',
      env: {},
      secrets: [],
    });
    for (const url of [
      'ssh://git@host/r.git',
      'git@host:r.git',
      'git://host/r.git',
      'file:///srv/r.git',
      '/srv/r.git',
    ]) {
      const result = gitAuthEnv(url, { token: 'tok-1234' }, 'github');
      expect(result.env).toEqual({});
      expect(result.url).toBe(url);
      expect(result.secrets).toEqual(['tok-1234']);
    }
  });
});
