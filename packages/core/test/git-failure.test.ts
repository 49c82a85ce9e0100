import { describe, expect, it } from 'vitest';
import { classifyGitStderr } from '../src/internal.js';

describe('classifyGitStderr', () => {
  it.each([
    ["fatal: Authentication failed for 'http://127.0.0.1:4000/qa.git/'", 'auth'],
    ["fatal: could not read Username for 'https://example.com': terminal prompts disabled", 'auth'],
    ["fatal: unable to access 'https://example.com/r.git/': The requested URL returned error: 403", 'auth'],
    ['git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth'],
    [
      'warning: Could not find remote branch nope to clone.\nfatal: Remote branch nope not found in upstream origin',
      'branch-not-found',
    ],
    ["fatal: couldn't find remote ref refs/heads/nope", 'branch-not-found'],
    ["remote: Repository not found.\nfatal: repository 'https://github.com/o/r.git/' not found", 'not-found'],
    ["fatal: repository '/tmp/none.git' does not exist", 'not-found'],
    ["fatal: '/srv/none.git' does not appear to be a git repository", 'not-found'],
    [
      "fatal: unable to access 'https://example.com/r.git/': The requested URL returned error: 404",
      'not-found',
    ],
    [
      "fatal: unable to access 'https://nohost.invalid/r.git/': Could not resolve host: nohost.invalid",
      'unreachable',
    ],
    [
      "fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server",
      'unreachable',
    ],
    ['Host key verification failed.\nfatal: Could not read from remote repository.', undefined],
    ['', undefined],
  ])('%s → %s', (stderr, problem) => {
    expect(classifyGitStderr(stderr)).toBe(problem);
  });
});
