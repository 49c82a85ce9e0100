import path from 'node:path';
import { describeGitProvider } from '@sentry-git/core/testing';
import { tempdir } from '@sentry-git/test-utils';
import { gitProvider } from '../src/index.js';
import { localRemote, testProvider } from './helpers.js';

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
  name: 'provider-git conformance: file:// URL (default instance)',
  provider: gitProvider,
  createRemote: () => localRemote((bare) => `file://${bare}`),
  missingTarget: async () => ({
    repository: 'missing-file-url',
    url: `file://${path.join(await tempdir(), 'nothing-here.git')}`,
    type: 'git',
  }),
});
