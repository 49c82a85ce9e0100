import type { ProviderTarget } from '@sentry-git/core';
import type { RemoteFixture } from '@sentry-git/core/testing';
import {
  fastImportBranches,
  type GiteaServer,
  type GiteaServerOptions,
  type GitFixture,
  gitdir,
  startGiteaServer,
} from '@sentry-git/test-utils';
import { expect, onTestFinished } from 'vitest';
import { createGiteaProvider } from '../src/index.js';
import type { GiteaProviderOptions } from '../src/options.js';

export const TOKEN = 'gta_0123456789abcdef0123456789abcdef01234567';

/** A fake Gitea closed after the test. */
export async function giteaServer(options: GiteaServerOptions = {}): Promise<GiteaServer> {
  const server = await startGiteaServer({ token: TOKEN, ...options });
  onTestFinished(async () => {
    await server.close();
    // A request still waiting out the latency when the test ended was never routed (status 0).
    const unexpected = server.unexpected().filter((request) => request.status !== 0);
    expect(unexpected, 'requests no route of the fake Gitea answers').toEqual([]);
  });
  return server;
}

/** The provider as tests use it: retries without real waiting. */
export function provider(options: GiteaProviderOptions = {}) {
  return createGiteaProvider({ retryDelayMs: 1, ...options });
}

export function target(
  server: GiteaServer,
  fullName: string,
  extra: Partial<ProviderTarget> = {},
): ProviderTarget {
  return {
    repository: fullName.split('/').at(-1)!,
    url: `${server.url}/${fullName}.git`,
    type: 'gitea',
    auth: { token: TOKEN },
    ...extra,
  };
}

/** One branch per name, each with a commit of its own, in one `git fast-import` run. */
export function commitMany(repo: GitFixture, branches: string[]): Promise<string[]> {
  return fastImportBranches(repo.bare, branches);
}

/** A real repository served by `server` as `fullName`, as the conformance suite drives it. */
export async function remote(
  server: GiteaServer,
  fullName: string,
  extra: Partial<ProviderTarget> = {},
): Promise<RemoteFixture & { repo: GitFixture }> {
  const repo = await gitdir();
  server.addRepo(fullName, repo.bare);
  return {
    repo,
    target: target(server, fullName, extra),
    commit: (branch) => repo.commit(branch),
    deleteBranch: (branch) => repo.deleteBranch(branch),
    commitMany: (branches) => commitMany(repo, branches),
  };
}

/** The requests the server answered, as `METHOD path?query` lines. */
export function calls(server: GiteaServer): string[] {
  return server.requests.map((request) => {
    const query = request.query.toString();
    return `${request.method} ${request.path}${query ? `?${query}` : ''}`;
  });
}

/** The settled rejection of a promise that must reject. */
export async function rejected(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
