import { describe, expect, it } from 'vitest';
import { repoUrlKey } from '../src/index.js';

describe('repoUrlKey', () => {
  it('matches a forge web URL with the ways a configuration names the same repository', () => {
    const key = repoUrlKey('https://github.com/acme/app');
    for (const url of [
      'https://github.com/acme/app.git',
      'https://github.com/acme/app/',
      'https://GitHub.com/Acme/App.git/',
      'HTTPS://github.com/acme/app',
      'https://x-access-token:ghp_secret@github.com/acme/app.git',
      'https://ghp_secret@github.com/acme/app',
      'http://github.com:443/acme/app',
      'ssh://git@github.com/acme/app.git',
      'ssh://git@github.com:22/acme/app.git',
      'git@github.com:acme/app.git',
      'git://github.com/acme/app.git',
      '  https://github.com//acme/app  ',
    ]) {
      expect(repoUrlKey(url), url).toBe(key);
    }
    expect(key).toBe('github.com/acme/app');
  });

  it('keeps different repositories, hosts and nested groups apart', () => {
    const key = repoUrlKey('https://gitlab.com/acme/platform/app');
    expect(repoUrlKey('https://gitlab.com/acme/platform/app.git')).toBe(key);
    expect(repoUrlKey('https://gitlab.com/acme/app')).not.toBe(key);
    expect(repoUrlKey('https://gitlab.example.com/acme/platform/app')).not.toBe(key);
    expect(repoUrlKey('https://github.com/acme/app.github.io')).toBe('github.com/acme/app.github.io');
  });

  it('leaves local paths comparable as written (minus .git and trailing slash)', () => {
    expect(repoUrlKey('/srv/git/app.git/')).toBe('/srv/git/app');
    expect(repoUrlKey('file:///srv/git/app.git')).toBe('/srv/git/app');
  });
});
