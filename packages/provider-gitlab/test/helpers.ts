import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ProviderTarget } from '@sentry-git/core';
import type { RemoteFixture } from '@sentry-git/core/testing';
import {
  GIT_TEST_ENV,
  type GitFixture,
  type GitlabServer,
  type GitlabServerOptions,
  git,
  gitdir,
  startGitlabServer,
} from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { createGitlabProvider, type GitlabProviderOptions } from '../src/index.js';

export const TOKEN = 'glpat-s3cr3t-T0ken-for-tests';
export const PROJECT = 'acme/platform/rag-service';

/** A provider with fast retries (tests never wait for real backoff). */
export function testProvider(options: GitlabProviderOptions = {}) {
  return createGitlabProvider({ retryBaseMs: 1, retryMaxMs: 5, ...options });
}

/**
 * Creates many branches in one `git fast-import` run (one root commit each) instead of a checkout,
 * commit and push per branch; returns the SHAs in order.
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

export interface GitlabRemote {
  repo: GitFixture;
  server: GitlabServer;
  target: ProviderTarget;
}

/** A real bare repository served as project `path` by a fake GitLab; closed after the test. */
export async function gitlabRemote(
  options: Partial<GitlabServerOptions> & { path?: string; auth?: boolean } = {},
): Promise<GitlabRemote> {
  const { path = PROJECT, auth = true, ...serverOptions } = options;
  const repo = await gitdir();
  const server = await startGitlabServer({
    ...(auth ? { token: TOKEN } : {}),
    ...serverOptions,
    repos: { [path]: repo.bare, ...serverOptions.repos },
  });
  onTestFinished(() => server.close());
  const target: ProviderTarget = {
    repository: 'rag-service',
    url: `${server.url}/${path}.git`,
    type: 'gitlab',
    ...(auth ? { auth: { token: TOKEN } } : {}),
  };
  return { repo, server, target };
}

export function remoteFixture(remote: GitlabRemote): RemoteFixture {
  return {
    target: remote.target,
    commit: (branch) => remote.repo.commit(branch),
    deleteBranch: (branch) => remote.repo.deleteBranch(branch),
    commitMany: (branches) => fastImportBranches(remote.repo.bare, branches),
  };
}

export function signal(): AbortSignal {
  return new AbortController().signal;
}

/** The requests the server answered for one route, by route name. */
export function requestsTo(server: GitlabServer, route: string) {
  return server.requests.filter((request) => request.route === route);
}
