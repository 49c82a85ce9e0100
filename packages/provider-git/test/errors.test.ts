import { isSentryError } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { gitFailureError } from '../src/errors.js';
import plugin, { createGitProvider, gitProvider } from '../src/index.js';
import { testProvider } from './helpers.js';

function classify(stderr: string, exitCode = 128) {
  return gitFailureError({
    repository: 'demo',
    url: 'https://example.com/r.git',
    stderr,
    exitCode,
    spawnCode: undefined,
    gitBinary: 'git',
    command: 'git ls-remote',
  });
}

describe('error classification', () => {
  it.each([
    ["fatal: Authentication failed for 'https://example.com/r.git/'", 'GIT_AUTH_FAILED'],
    [
      "fatal: could not read Username for 'https://example.com': terminal prompts disabled",
      'GIT_AUTH_FAILED',
    ],
    [
      "fatal: unable to access 'https://example.com/r.git/': The requested URL returned error: 403",
      'GIT_AUTH_FAILED',
    ],
    [
      'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.',
      'GIT_AUTH_FAILED',
    ],
    [
      "remote: Repository not found.\nfatal: repository 'https://github.com/o/r.git/' not found",
      'GIT_NOT_FOUND',
    ],
    ["fatal: '/srv/none.git' does not appear to be a git repository", 'GIT_NOT_FOUND'],
    ['fatal: remote error: access denied or repository not exported: /r.git', 'GIT_NOT_FOUND'],
    [
      "fatal: unable to access 'https://nohost.invalid/r.git/': Could not resolve host: nohost.invalid",
      'GIT_FAILED',
    ],
    ['Host key verification failed.\nfatal: Could not read from remote repository.', 'GIT_FAILED'],
  ])('%s → %s', (stderr, code) => {
    const error = classify(stderr);
    expect(error.code).toBe(code);
    expect(error.message).toContain('"demo"');
    expect(error.message).toContain('https://example.com/r.git');
    expect(error.message).toContain(stderr.split('\n')[0]!.trim());
    expect(error.fix).toBeTruthy();
  });

  it('names the configuration keys it was given (a QA repository: deploy.*), else monitor.*', () => {
    const stderr = "fatal: Authentication failed for 'https://example.com/r.git/'";
    expect(classify(stderr).fix).toMatch(/^check monitor\.auth /);
    const qa = gitFailureError({
      repository: 'demo (QA)',
      url: 'https://example.com/qa.git',
      stderr,
      exitCode: 128,
      spawnCode: undefined,
      gitBinary: 'git',
      command: 'git ls-remote',
      configKeys: { url: 'repositories[2].deploy.qa_repo_url', auth: 'repositories[2].deploy.auth' },
    });
    expect(qa.fix).toMatch(/^check repositories\[2\]\.deploy\.auth \(token and username\)/);
    expect(qa.fix).not.toContain('monitor');
    const missing = gitFailureError({
      repository: 'demo (QA)',
      url: 'https://example.com/qa.git',
      stderr: "fatal: repository 'https://example.com/qa.git/' not found",
      exitCode: 128,
      spawnCode: undefined,
      gitBinary: 'git',
      command: 'git ls-remote',
      configKeys: { url: 'repositories[2].deploy.qa_repo_url', auth: 'repositories[2].deploy.auth' },
    });
    expect(missing.fix).toMatch(/^check repositories\[2\]\.deploy\.qa_repo_url;/);
  });

  it('says how to fix a missing git binary', async () => {
    const provider = testProvider({ gitBinary: '/nonexistent/bin/git' });
    const error = await provider
      .listHeads(
        { repository: 'demo', url: '/srv/r.git', type: 'git' },
        { match: () => true, signal: new AbortController().signal },
      )
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(isSentryError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('GIT_FAILED');
    expect((error as Error).message).toContain('gitBinary');
  });
});

describe('exports', () => {
  it('registers the default instance through a plugin', () => {
    expect(plugin.name).toBe('@sentry-git/provider-git');
    expect(plugin.providers).toEqual([gitProvider]);
    expect(gitProvider.id).toBe('git');
    expect(createGitProvider().capabilities).toEqual({
      changedFiles: true,
      commitStatus: false,
      webhooks: false,
    });
  });
});
