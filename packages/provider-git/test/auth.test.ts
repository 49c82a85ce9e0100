import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSentryError, type ProviderTarget } from '@sentry-git/core';
import { gitdir, startGitHttpServer, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { loggingGit, testProvider } from './helpers.js';

const TOKEN = 'tok_Zq81-secret-value-4711';

async function protectedRemote(auth: { username?: string; token: string } = { token: TOKEN }) {
  const repo = await gitdir();
  const main = await repo.commit('main');
  const server = await startGitHttpServer({ root: path.dirname(repo.bare), auth });
  onTestFinished(() => server.close());
  return { repo, main, server, url: `${server.url}/remote.git` };
}

function listAll(provider: ReturnType<typeof testProvider>, target: ProviderTarget) {
  return provider.listHeads(target, { match: () => true, signal: new AbortController().signal });
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

describe('http(s) credentials', () => {
  it('lists the heads of a token-protected repository with the right token', async () => {
    const { main, server, url } = await protectedRemote();
    const result = await listAll(testProvider(), {
      repository: 'private',
      url,
      type: 'git',
      auth: { token: TOKEN },
    });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((request) => request.hasAuthorization && request.authorized)).toBe(true);
    expect(server.requests.map((request) => request.username)).toContain('git');
  });

  it.each([
    ['github', 'x-access-token'],
    ['gitlab', 'oauth2'],
    ['gitea', 'git'],
  ])('sends the default user name for type %s (%s)', async (type, username) => {
    const { server, url } = await protectedRemote({ username, token: TOKEN });
    await listAll(testProvider(), { repository: 'private', url, type, auth: { token: TOKEN } });
    expect(server.requests.map((request) => request.username)).toEqual(server.requests.map(() => username));
  });

  it('sends the configured user name over the default', async () => {
    const { main, url } = await protectedRemote({ username: 'alice', token: TOKEN });
    const result = await listAll(testProvider(), {
      repository: 'private',
      url,
      type: 'github',
      auth: { username: 'alice', token: TOKEN },
    });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
  });

  it('rejects with GIT_AUTH_FAILED and no secret in the message when the token is wrong', async () => {
    const { server, url } = await protectedRemote();
    const wrong = 'tok_wrong-token-0000-9999';
    const error = await failure(
      listAll(testProvider(), { repository: 'private-repo', url, type: 'git', auth: { token: wrong } }),
    );
    expect(isSentryError(error)).toBe(true);
    expect(error.code).toBe('GIT_AUTH_FAILED');
    expect(error.message).toContain('private-repo');
    expect(error.message).toContain(url);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify((error as { details?: unknown }).details)).not.toContain(wrong);
    expect(server.requests.some((request) => request.hasAuthorization && !request.authorized)).toBe(true);
  });

  it('rejects with GIT_AUTH_FAILED without waiting for a prompt when no token is configured', async () => {
    const { url } = await protectedRemote();
    const error = await failure(listAll(testProvider(), { repository: 'private-repo', url, type: 'git' }));
    expect(error.code).toBe('GIT_AUTH_FAILED');
  });

  it('never calls an askpass program from the environment', async () => {
    const { url } = await protectedRemote();
    const dir = await tempdir();
    const marker = path.join(dir, 'asked');
    const askpass = path.join(dir, 'askpass.sh');
    await writeFile(askpass, `#!/bin/sh\necho asked >> '${marker}'\necho '${TOKEN}'\n`);
    await chmod(askpass, 0o755);
    vi.stubEnv('GIT_ASKPASS', askpass);
    vi.stubEnv('SSH_ASKPASS', askpass);
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const error = await failure(listAll(testProvider(), { repository: 'private-repo', url, type: 'git' }));
    expect(error.code).toBe('GIT_AUTH_FAILED');
    await expect(readFile(marker, 'utf8')).rejects.toThrow();
  });

  it('never puts the token in the arguments of a git process', async () => {
    const { main, url } = await protectedRemote();
    const wrapper = await loggingGit();
    const provider = testProvider({ gitBinary: wrapper.binary });
    const result = await listAll(provider, {
      repository: 'private',
      url,
      type: 'github',
      auth: { token: TOKEN },
    });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    const log = await wrapper.log();
    expect(log).toContain('ls-remote');
    expect(log).toContain(url);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    expect(log).toContain('http.extraHeader');
  });

  it('moves credentials written into the URL out of the arguments', async () => {
    const { main, server } = await protectedRemote({ username: 'alice', token: TOKEN });
    const wrapper = await loggingGit();
    const provider = testProvider({ gitBinary: wrapper.binary });
    const port = new URL(server.url).port;
    const url = `http://alice:${encodeURIComponent(TOKEN)}@127.0.0.1:${port}/remote.git`;
    const result = await listAll(provider, { repository: 'private', url, type: 'git' });
    expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    expect(server.requests.every((request) => request.authorized)).toBe(true);
    const log = await wrapper.log();
    expect(log).toContain(`ls-remote --heads -- http://127.0.0.1:${port}/remote.git`);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('alice');
  });

  it('keeps URL credentials out of the error when they are wrong', async () => {
    const { server } = await protectedRemote();
    const password = 'url-password-5150-wrong';
    const url = `http://bob:${password}@127.0.0.1:${new URL(server.url).port}/remote.git`;
    const error = await failure(listAll(testProvider(), { repository: 'private-repo', url, type: 'git' }));
    expect(error.code).toBe('GIT_AUTH_FAILED');
    expect(error.message).not.toContain(password);
    expect(error.message).toContain('bob:[REDACTED]@127.0.0.1');
  });

  it('sends no header to a file:// or local remote even with a token configured', async () => {
    const repo = await gitdir();
    const main = await repo.commit('main');
    const wrapper = await loggingGit();
    const provider = testProvider({ gitBinary: wrapper.binary });
    for (const url of [repo.url, repo.bare]) {
      const result = await listAll(provider, {
        repository: 'local',
        url,
        type: 'github',
        auth: { token: TOKEN },
      });
      expect(result.heads).toEqual([{ branch: 'main', sha: main }]);
    }
    const log = await wrapper.log();
    expect(log).toContain('ls-remote');
    expect(log).not.toContain('http.extraHeader');
    expect(log).not.toContain(TOKEN);
  });
});
