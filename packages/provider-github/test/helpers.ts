import type { ProviderTarget } from '@sentry-git/core';
import type { RemoteFixture } from '@sentry-git/core/testing';
import {
  type GitFixture,
  type GitHubServer,
  type GitHubServerOptions,
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

import { fastImportBranches } from '@sentry-git/test-utils';

export { fastImportBranches };

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

/**
 * An octokit logger that keeps what reaches `info` and `error`: octokit's request-log reports
 * every request it sends there (304s through `error`), so an empty list means octokit sent none.
 */
export function recordingLog() {
  const logged: string[] = [];
  const log = {
    debug: () => {},
    info: (message: string) => logged.push(message),
    warn: () => {},
    error: (message: string) => logged.push(message),
  };
  return { log, logged };
}
