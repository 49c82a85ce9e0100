import { describeGitProvider } from '@sentry-git/core/testing';
import { startGitHttpServer, tempdir } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { httpRemote, testProvider } from './helpers.js';

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
