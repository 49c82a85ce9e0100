import path from 'node:path';
import { describeGitProvider } from '@sentry-git/core/testing';
import { startGitHttpServer, tempdir } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { gitProvider } from '../src/index.js';
import { httpRemote, localRemote, startGitDaemon, testProvider } from './helpers.js';
import { gitdir } from '@sentry-git/test-utils';

describeGitProvider({
  name: 'provider-git conformance: plain local path',
  provider: () => testProvider(),
  createRemote: () => localRemote((bare) => bare),
  missingTarget: async () => ({
    repository: 'missing-local',
    url: path.join(await tempdir(), 'nothing-here.git'),
    type: 'git',
  }),
});

describeGitProvider({
  name: 'provider-git conformance: file:// URL',
  provider: () => testProvider(),
  createRemote: () => localRemote((bare) => `file://${bare}`),
  missingTarget: async () => ({
    repository: 'missing-file-url',
    url: `file://${path.join(await tempdir(), 'nothing-here.git')}`,
    type: 'git',
  }),
});

describeGitProvider({
  name: 'provider-git conformance: the default instance',
  provider: gitProvider,
  createRemote: () => localRemote((bare) => bare),
});

describeGitProvider({
  name: 'provider-git conformance: http:// through git http-backend',
  provider: () => testProvider(),
  createRemote: () => httpRemote(),
  missingTarget: async () => {
    const server = await startGitHttpServer({ root: await tempdir() });
    onTestFinished(() => server.close());
    return { repository: 'missing-http', url: `${server.url}/nothing-here.git`, type: 'git' };
  },
});

describeGitProvider({
  name: 'provider-git conformance: git:// through git daemon',
  provider: () => testProvider(),
  createRemote: async () => {
    const repo = await gitdir();
    const daemon = await startGitDaemon(path.dirname(repo.bare));
    return {
      target: { repository: 'daemon-demo', url: `${daemon.url}/remote.git`, type: 'git' },
      commit: (branch) => repo.commit(branch),
      deleteBranch: (branch) => repo.deleteBranch(branch),
      cleanup: () => daemon.close(),
    };
  },
  missingTarget: async () => {
    const daemon = await startGitDaemon(await tempdir());
    onTestFinished(() => daemon.close());
    return { repository: 'missing-daemon', url: `${daemon.url}/nothing-here.git`, type: 'git' };
  },
});
