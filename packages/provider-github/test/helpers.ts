import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ProviderTarget } from '@sentry-git/core';
import type { RemoteFixture } from '@sentry-git/core/testing';
import {
  GIT_TEST_ENV,
  type GitFixture,
  type GitHubServer,
  type GitHubServerOptions,
  git,
  gitdir,
  startGitHubServer,
} from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { createGitHubProvider, type GitHubProviderOptions } from '../src/index.js';

/** A token shaped like a classic personal access token; the fake server accepts only this one. */
export const TOKEN = 'ghp_fakeTokenForTests0123456789abcdefABCD';

/** A provider whose retries do not wait a second (the backoff shape stays the same). */
export function testProvider(options: GitHubProviderOptions = {}) {
  return createGitHubProvider({ retryBaseMs: 1, ...options });
}

export function target(server: { url: string }, extra: Partial<ProviderTarget> = {}): ProviderTarget {
  return {
    repository: 'gh-demo',
    url: 'https://github.com/acme/demo',
    type: 'github',
    apiBaseUrl: server.url,
    auth: { token: TOKEN },
    ...extra,
  };
}

export function signal(): AbortSignal {
  return new AbortController().signal;
}

/**
 * Creates many branches in one `git fast-import` run (one root commit each) instead of a
 * checkout, commit and push per branch; returns the SHAs in order.
 */
export async function fastImportBranches(bare: string, branches: string[]): Promise<string[]> {
  const when = Math.floor(Date.now() / 1000);
  const stream = branches
    .map((branch, index) => {
      const message = `branch ${branch}\n`;
      const content = `content of ${branch}\n`;
      return [
        `commit refs/heads/${branch}`,
        `committer ${GIT_TEST_ENV.GIT_COMMITTER_NAME} <${GIT_TEST_ENV.GIT_COMMITTER_EMAIL}> ${when} +0000`,
        `data ${Buffer.byteLength(message)}`,
        message,
        `M 644 inline file-${index}.txt`,
        `data ${Buffer.byteLength(content)}`,
        content,
      ].join('\n');
    })
    .join('\n');
  const child = spawn('git', ['fast-import', '--quiet'], {
    cwd: bare,
    env: { ...process.env, ...GIT_TEST_ENV },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.end(stream);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`git fast-import failed (${code}): ${stderr}`);
  const heads = await git(bare, 'for-each-ref', '--format=%(refname:strip=2) %(objectname)', 'refs/heads');
  const byBranch = new Map(heads.split('\n').map((line) => line.split(' ') as [string, string]));
  return branches.map((branch) => byBranch.get(branch) ?? '');
}

export interface GitHubRemote {
  repo: GitFixture;
  server: GitHubServer;
  target: ProviderTarget;
  fixture: RemoteFixture;
}

/** A real bare repository served by the fake GitHub as acme/demo; closed after the test. */
export async function githubRemote(options: Partial<GitHubServerOptions> = {}): Promise<GitHubRemote> {
  const repo = await gitdir();
  const server = await startGitHubServer({ token: TOKEN, ...options, repos: { 'acme/demo': repo.bare } });
  onTestFinished(() => server.close());
  const remoteTarget = target(server);
  return {
    repo,
    server,
    target: remoteTarget,
    fixture: {
      target: remoteTarget,
      commit: (branch) => repo.commit(branch),
      deleteBranch: (branch) => repo.deleteBranch(branch),
      commitMany: (branches) => fastImportBranches(repo.bare, branches),
    },
  };
}

/** Requests the server answered from `index` on, as `STATUS route` lines for readable failures. */
export function answersSince(server: GitHubServer, index: number): number[] {
  return server.requests.slice(index).map((request) => request.status);
}
