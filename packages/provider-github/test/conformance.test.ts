import { describeGitProvider } from '@sentry-git/core/testing';
import { startGitHubServer } from '@sentry-git/test-utils';
import { afterEach, expect, onTestFinished } from 'vitest';
import { githubRemote, TOKEN, target, testProvider } from './helpers.js';

const servers: Array<{ unexpected(): unknown[] }> = [];
afterEach(() => {
  // Every request the provider made was one the fake GitHub knows.
  for (const server of servers.splice(0)) expect(server.unexpected()).toEqual([]);
});

describeGitProvider({
  name: 'provider-github conformance (fake GitHub backed by a real bare repository)',
  provider: () => testProvider(),
  createRemote: async () => {
    const remote = await githubRemote();
    servers.push(remote.server);
    return remote.fixture;
  },
  missingTarget: async () => {
    const server = await startGitHubServer({ token: TOKEN, repos: {} });
    onTestFinished(() => server.close());
    servers.push(server);
    return target(server, { repository: 'gh-missing', url: 'https://github.com/acme/nothing-here' });
  },
});
