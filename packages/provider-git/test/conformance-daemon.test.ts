import { describeGitProvider } from '@sentry-git/core/testing';
import { tempdir } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { daemonRemote, startGitDaemon, testProvider } from './helpers.js';

describeGitProvider({
  name: 'provider-git conformance: git:// through git daemon',
  provider: () => testProvider(),
  createRemote: () => daemonRemote(),
  missingTarget: async () => {
    const daemon = await startGitDaemon(await tempdir());
    onTestFinished(() => daemon.close());
    return { repository: 'missing-daemon', url: `${daemon.url}/nothing-here.git`, type: 'git' };
  },
});
