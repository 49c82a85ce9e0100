import { describeExecutor, makeJob } from '@sentry-git/core/testing';
import { tempdir } from '@sentry-git/test-utils';
import { createShellExecutor } from '../src/index.js';

async function job(commands: string[]) {
  return makeJob({ deploy: { commands }, settings: { tmpDir: await tempdir() } });
}

describeExecutor({
  name: 'shell executor conformance',
  executor: () => createShellExecutor({ killGraceMs: 1000 }),
  jobs: {
    succeed: () => job(['echo ok']),
    fail: () => job(['exit 3']),
    hang: () => job(['echo started; sleep 600']),
  },
});
