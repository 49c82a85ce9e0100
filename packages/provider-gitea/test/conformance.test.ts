import { describeGitProvider } from '@sentry-git/core/testing';
import { type GiteaServer, startGiteaServer } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import giteaPlugin, { forgejoProvider, giteaProvider } from '../src/index.js';
import { provider, remote, TOKEN, target } from './helpers.js';

let server: GiteaServer;
let count = 0;

beforeAll(async () => {
  server = await startGiteaServer({ token: TOKEN });
});
afterAll(async () => {
  expect(server.unexpected()).toEqual([]);
  await server.close();
});

// repo_url is the fake's own http URL: the API root is derived from it (…/api/v1).
describeGitProvider({
  name: 'Gitea provider conformance (derived API root)',
  provider: () => provider(),
  createRemote: () => remote(server, `team/app-${++count}`),
  missingTarget: () => target(server, 'team/ghost'),
});

// The same through monitor.api_base_url, with the repository URL on another host (scp-like).
describeGitProvider({
  name: 'Gitea provider conformance (api_base_url, scp-like repo_url)',
  provider: () => provider(),
  createRemote: () => {
    const name = `org/svc-${++count}`;
    return remote(server, name, { url: `git@gitea.example.invalid:${name}.git`, apiBaseUrl: server.apiUrl });
  },
  missingTarget: () => ({ ...target(server, 'org/ghost'), apiBaseUrl: server.apiUrl }),
});

describe('the plugin', () => {
  it('registers one implementation as gitea and forgejo', () => {
    expect(giteaPlugin.name).toBe('@sentry-git/provider-gitea');
    expect(giteaPlugin.providers.map((p) => p.id)).toEqual(['gitea', 'forgejo']);
    expect(giteaProvider.capabilities).toEqual({
      changedFiles: true,
      commitStatus: true,
      webhooks: true,
    });
    expect(forgejoProvider.capabilities).toEqual(giteaProvider.capabilities);
    expect(forgejoProvider.listHeads).toBeTypeOf('function');
  });
});
