import { describe, expect, it } from 'vitest';
import { toCloneUrl } from '../src/clone.js';
import { gitAuthEnv, redactUrl } from '../src/git-auth.js';

function basic(env: Record<string, string>): string | undefined {
  const value = env.GIT_CONFIG_VALUE_0;
  return value === undefined
    ? undefined
    : Buffer.from(value.replace('Authorization: Basic ', ''), 'base64').toString();
}

describe('gitAuthEnv', () => {
  it('sends the token as an http.extraHeader through GIT_CONFIG_* variables', () => {
    const { url, env } = gitAuthEnv('https://github.com/acme/qa.git', { token: 'tok' }, 'github');
    expect(url).toBe('https://github.com/acme/qa.git');
    expect(env).toMatchObject({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader' });
    expect(basic(env)).toBe('x-access-token:tok');
  });

  it('picks the user name: auth.username, else by host type', () => {
    expect(basic(gitAuthEnv('https://gitlab.com/q.git', { token: 't' }, 'gitlab').env)).toBe('oauth2:t');
    expect(basic(gitAuthEnv('https://gitea.io/q.git', { token: 't' }, 'gitea').env)).toBe('git:t');
    expect(basic(gitAuthEnv('https://gitea.io/q.git', { token: 't' }, undefined).env)).toBe('git:t');
    expect(basic(gitAuthEnv('https://gitlab.com/q.git', { username: 'me', token: 't' }, 'gitlab').env)).toBe(
      'me:t',
    );
  });

  it('strips credentials from the URL and uses them when auth has no token', () => {
    const { url, env } = gitAuthEnv('https://bot:p%40ss@host.example/q.git', undefined, 'git');
    expect(url).toBe('https://host.example/q.git');
    expect(basic(env)).toBe('bot:p@ss');
    expect(basic(gitAuthEnv('https://bot:p@host.example/q.git', { token: 'cfg' }, 'github').env)).toBe(
      'bot:cfg',
    );
  });

  it('gives no environment without a token or for non-HTTP URLs', () => {
    expect(gitAuthEnv('https://host.example/q.git', undefined, 'github')).toEqual({
      url: 'https://host.example/q.git',
      env: {},
    });
    expect(gitAuthEnv('https://host.example/q.git', { username: 'u' }, 'github').env).toEqual({});
    expect(gitAuthEnv('git@github.com:acme/qa.git', { token: 't' }, 'github')).toEqual({
      url: 'git@github.com:acme/qa.git',
      env: {},
    });
    expect(gitAuthEnv('ssh://git@host/q.git', { token: 't' }, 'git')).toEqual({
      url: 'ssh://git@host/q.git',
      env: {},
    });
    expect(gitAuthEnv('ssh://git:pw@host/q.git', undefined, 'git').url).toBe('ssh://git@host/q.git');
    expect(gitAuthEnv('file:///srv/q.git', { token: 't' }, 'git').env).toEqual({});
  });
});

describe('redactUrl', () => {
  it('hides credentials', () => {
    expect(redactUrl('https://user:secret@host/q.git')).toBe('https://***:***@host/q.git');
    expect(redactUrl('https://token@host/q.git')).toBe('https://***@host/q.git');
    expect(redactUrl('ssh://git:pw@host/q.git')).toBe('ssh://git:***@host/q.git');
    expect(redactUrl('https://host/q.git')).toBe('https://host/q.git');
    expect(redactUrl('git@host:q.git')).toBe('git@host:q.git');
  });
});

describe('toCloneUrl', () => {
  it('turns local paths into file:// URLs and leaves remote addresses alone', () => {
    expect(toCloneUrl('/srv/qa.git')).toBe('file:///srv/qa.git');
    expect(toCloneUrl('/srv/with space.git')).toBe('file:///srv/with%20space.git');
    expect(toCloneUrl('https://host/q.git')).toBe('https://host/q.git');
    expect(toCloneUrl('git@host:q.git')).toBe('git@host:q.git');
    expect(toCloneUrl('file:///srv/q.git')).toBe('file:///srv/q.git');
  });
});
