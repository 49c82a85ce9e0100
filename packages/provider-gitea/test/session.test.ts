import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.js';
import { createSessionOpener } from '../src/session.js';

const target = (name: string, token: string, host = 'gitea.example.com') => ({
  repository: name,
  url: `https://${host}/acme/${name}.git`,
  type: 'gitea',
  auth: { token },
});

describe('sessions', () => {
  it('share one client per API root and token, and keep each repository its own address', async () => {
    const open = createSessionOpener(resolveOptions({}));
    const signal = new AbortController().signal;
    const [a, b, again] = await Promise.all([
      open(target('a', 'token-1'), signal),
      open(target('b', 'token-1'), signal),
      open(target('a', 'token-1'), signal),
    ]);
    expect(b.api).toBe(a.api);
    expect(again.api).toBe(a.api);
    expect([a.repo, b.repo]).toEqual(['a', 'b']);
    expect(a.target).toBe(again.target);
    const otherToken = await open(target('a', 'token-2'), signal);
    const otherHost = await open(target('a', 'token-1', 'forgejo.example.com'), signal);
    expect(otherToken.api).not.toBe(a.api);
    expect(otherHost.api).not.toBe(a.api);
    expect(otherHost.target.apiBase).toBe('https://forgejo.example.com/api/v1');
    // Same URL, another API root: a new address, and the first one is used again after it.
    const proxied = await open(
      { ...target('a', 'token-1'), apiBaseUrl: 'https://proxy.example.com/gitea/api/v1' },
      signal,
    );
    expect(proxied.target.apiBase).toBe('https://proxy.example.com/gitea/api/v1');
    expect((await open(target('a', 'token-1'), signal)).target.apiBase).toBe(
      'https://gitea.example.com/api/v1',
    );
  });
});
