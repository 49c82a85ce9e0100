import type { ProviderTarget } from '@sentry-git/core';
import type { RemoteFixture } from '@sentry-git/core/testing';
import {
  type GitFixture,
  type GitlabServer,
  type GitlabServerOptions,
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

import { fastImportBranches } from '@sentry-git/test-utils';

export { fastImportBranches };

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
