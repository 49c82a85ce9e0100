import { describeGitProvider } from '@sentry-git/core/testing';
import { startGitlabServer } from '@sentry-git/test-utils';
import { afterEach, expect, onTestFinished } from 'vitest';
import { gitlabRemote, remoteFixture, TOKEN, testProvider } from './helpers.js';

const servers: Array<{ unexpected(): unknown[] }> = [];

afterEach(() => {
  // The fake forge is an HTTP mock: a request no route knows is a failure of the provider.
  for (const server of servers.splice(0)) expect(server.unexpected()).toEqual([]);
});

describeGitProvider({
  name: 'provider-gitlab conformance (fake GitLab backed by real repositories)',
  provider: () => testProvider(),
  createRemote: async () => {
    const remote = await gitlabRemote();
    servers.push(remote.server);
    return remoteFixture(remote);
  },
  missingTarget: async () => {
    const server = await startGitlabServer({ repos: {}, token: TOKEN });
    onTestFinished(() => server.close());
    servers.push(server);
    return {
      repository: 'missing-project',
      url: `${server.url}/acme/nothing-here.git`,
      type: 'gitlab',
      auth: { token: TOKEN },
    };
  },
});
