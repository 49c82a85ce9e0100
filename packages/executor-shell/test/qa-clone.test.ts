import { execFileSync } from 'node:child_process';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { timeoutError } from '@sentry-git/core';
import { makeJob, recordingContext } from '@sentry-git/core/testing';
import {
  type GitFixture,
  type GitHttpServer,
  gitdir,
  startGitHttpServer,
  tempdir,
} from '@sentry-git/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShellExecutor } from '../src/index.js';

const TOKEN = 'glpat-qa-secret-TOKEN-0123456789';
const TOKEN_BASE64 = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/** A `git` that logs its arguments (one invocation a line) before running the real one. */
async function loggingGit(dir: string): Promise<{ binary: string; log: string }> {
  const binary = path.join(dir, 'git-wrapper.sh');
  const log = path.join(dir, 'git-argv.log');
  await writeFile(binary, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${REAL_GIT}' "$@"\n`);
  await chmod(binary, 0o755);
  return { binary, log };
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(TOKEN_BASE64);
}

describe('shell executor: QA repository over authenticated HTTP', () => {
  let qa: GitFixture;
  let server: GitHttpServer;
  let remote: string;

  beforeEach(async () => {
    qa = await gitdir();
    await qa.commit('main', { 'deploy.txt': 'deploy me\n' });
    server = await startGitHttpServer({ root: path.dirname(qa.bare), auth: { token: TOKEN } });
    remote = `${server.url}/${path.basename(qa.bare)}`;
  });

  afterEach(async () => {
    await server.close();
  });

  it('clones with the token given through the environment only', async () => {
    const tools = await tempdir();
    const git = await loggingGit(tools);
    const tmpDir = await tempdir();
    const job = makeJob({
      deploy: {
        qa_repo_url: remote,
        qa_repo_branch: 'main',
        repo_type: 'github',
        auth: { token: TOKEN },
        commands: ['cat deploy.txt', 'cat .git/config', 'env | sort'],
      },
      settings: { tmpDir, cleanup: false },
    });
    const recording = recordingContext();
    const result = await createShellExecutor({ gitBinary: git.binary }).execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(recording.text('stdout')).toContain('deploy me\n');

    // The server saw Basic auth with GitHub's user name on every request.
    expect(server.requests.length).toBeGreaterThan(0);
    expect(
      server.requests.every((request) => request.authorized && request.username === 'x-access-token'),
    ).toBe(true);

    // Not in git's argv, not in the clone's config, not in the commands' environment or any output.
    const argv = await readFile(git.log, 'utf8');
    expect(argv).toContain('clone');
    expect(argv).toContain(remote);
    expectNoSecret(argv);
    // Beside the job directory: the QA cache (`cache/`), whose mirror is checked below too.
    const [jobDir] = (await readdir(tmpDir)).filter((name) => name !== 'cache');
    const gitConfig = await readFile(path.join(tmpDir, jobDir!, 'checkout', '.git', 'config'), 'utf8');
    expect(gitConfig).toContain(`url = ${remote}`);
    expect(gitConfig.toLowerCase()).not.toContain('extraheader');
    expectNoSecret(gitConfig);
    const [mirror] = await readdir(path.join(tmpDir, 'cache', 'qa-mirrors'));
    const mirrorConfig = await readFile(path.join(tmpDir, 'cache', 'qa-mirrors', mirror!, 'config'), 'utf8');
    expect(mirrorConfig.toLowerCase()).not.toContain('extraheader');
    expectNoSecret(mirrorConfig);
    expectNoSecret(recording.text());
    expectNoSecret(JSON.stringify(result));
  });

  it('takes credentials out of the URL and sends them the same way', async () => {
    const git = await loggingGit(await tempdir());
    const withCredentials = remote.replace('http://', `http://deploy-bot:${TOKEN}@`);
    const job = makeJob({
      deploy: { qa_repo_url: withCredentials, commands: ['git remote get-url origin'] },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await createShellExecutor({ gitBinary: git.binary }).execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(recording.text('stdout')).toBe(`${remote}\n`);
    expect(server.requests.every((request) => request.authorized && request.username === 'deploy-bot')).toBe(
      true,
    );
    expectNoSecret(await readFile(git.log, 'utf8'));
    expectNoSecret(recording.text());
  });

  it('fails with a clear, redacted error and runs no command when the token is wrong', async () => {
    const wrong = `${TOKEN}-wrong`;
    const marker = path.join(await tempdir(), 'ran');
    const job = makeJob({
      deploy: { qa_repo_url: remote, auth: { username: 'bot', token: wrong }, commands: [`touch ${marker}`] },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await createShellExecutor().execute(job, recording.context);
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBeNull();
    expect(result.error).toMatch(
      new RegExp(`^Cloning the QA repository ${remote} failed: git exited with code 128`),
    );
    // The first line (what \`runs\` shows) says what git's stderr means and which key to fix.
    expect(result.error!.split('\n')[0]).toContain(
      `failed: git exited with code 128. Authentication failed: the host refused the QA repository's credentials, or asked for some and none were given. Fix: set deploy.auth.token of repository "demo"`,
    );
    expect(result.error).toContain('it does not use monitor.auth.');
    expect(result.error).not.toContain(wrong);
    expect(recording.text()).not.toContain(wrong);
    expect(server.requests.some((request) => request.status === 401)).toBe(true);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  describe.each([
    ['through the QA cache', {}],
    ['cloning directly', { qaCache: false }],
  ])('explains what a failed clone means (%s)', (_how, options) => {
    async function clone(deploy: Record<string, unknown>) {
      const job = makeJob({
        repository: 'web',
        deploy: { qa_repo_url: remote, commands: ['echo should-not-run'], ...deploy },
        settings: { tmpDir: await tempdir() },
      });
      const recording = recordingContext();
      const result = await createShellExecutor(options).execute(job, recording.context);
      expect(result.status).toBe('failed');
      expect(recording.text('stdout')).toBe('');
      return result.error!.split('\n')[0]!;
    }

    it('no token for a server that wants one: authentication, deploy.auth.token', async () => {
      const first = await clone({});
      expect(first).toContain('failed: git exited with code 128. Authentication failed');
      expect(first).toContain('Fix: set deploy.auth.token of repository "web"');
    });

    it('a repository the server does not have: deploy.qa_repo_url', async () => {
      const first = await clone({ qa_repo_url: `${server.url}/missing.git`, auth: { token: TOKEN } });
      expect(first).toContain('The host has no such repository, or the credentials cannot see it');
      expect(first).toContain('Fix: check deploy.qa_repo_url of repository "web"');
    });

    it('a branch the QA repository does not have: deploy.qa_repo_branch', async () => {
      const first = await clone({ qa_repo_branch: 'no-such-branch', auth: { token: TOKEN } });
      expect(first).toContain('The QA repository has no branch "no-such-branch"');
      expect(first).toContain('Fix: check deploy.qa_repo_branch of repository "web"');
    });
  });
});

describe('shell executor: cloning', () => {
  it('fails without running commands when the QA repository does not exist', async () => {
    const missing = path.join(await tempdir(), 'missing.git');
    const job = makeJob({
      deploy: { qa_repo_url: missing, commands: ['echo should-not-run'] },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await createShellExecutor().execute(job, recording.context);
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      `Cloning the QA repository file://${missing} failed: git exited with code 128. The host has no such repository`,
    );
    expect(recording.text('stdout')).toBe('');
  });

  it('says when the host cannot be reached', async () => {
    // Nothing listens on port 1 of the loopback: the connection is refused at once.
    const job = makeJob({
      repository: 'api',
      deploy: { qa_repo_url: 'http://127.0.0.1:1/qa.git', commands: ['echo should-not-run'] },
      settings: { tmpDir: await tempdir() },
    });
    const result = await createShellExecutor({ qaCache: false }).execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.error!.split('\n')[0]).toBe(
      'Cloning the QA repository http://127.0.0.1:1/qa.git failed: git exited with code 128. The host could not be reached. Fix: check the host in deploy.qa_repo_url of repository "api", and DNS, proxy and firewall from here.',
    );
  });

  it('honours the signal while cloning', async () => {
    const tools = await tempdir();
    const slowGit = path.join(tools, 'slow-git.sh');
    // A clone that never finishes: announces itself, then waits.
    await writeFile(slowGit, '#!/bin/sh\necho "fake clone started" >&2\nexec sleep 1000\n');
    await chmod(slowGit, 0o755);
    const tmpDir = await tempdir();
    const job = makeJob({
      deploy: { qa_repo_url: 'https://git.example.invalid/qa.git', commands: ['echo should-not-run'] },
      settings: { tmpDir },
    });
    const recording = recordingContext({
      abortWhen: /fake clone started/,
      reason: timeoutError('job timed out after 300s'),
    });
    const result = await createShellExecutor({ gitBinary: slowGit }).execute(job, recording.context);
    expect(result).toMatchObject({ status: 'timed_out', exitCode: null, error: 'job timed out after 300s' });
    expect(recording.text('stdout')).toBe('');
    // The job directory is gone, and the interrupted mirror build left nothing in the cache.
    expect(await readdir(tmpDir)).toEqual(['cache']);
    expect(await readdir(path.join(tmpDir, 'cache', 'qa-mirrors'))).toEqual([]);
  });
});
