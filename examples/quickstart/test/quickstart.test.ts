import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
// The examples are not workspace packages: test-utils comes from its sources by path.
import { GIT_TEST_ENV } from '../../../packages/test-utils/src/index.js';

const root = path.resolve(__dirname, '../../..');
const config = path.resolve(__dirname, '../sentry.yaml');
const BIN = path.join(root, 'packages/cli/bin/run.js');

// Through `pnpm quickstart` (the root package's script), so the documented entry point and the
// demo it runs are tested together.
it('`pnpm quickstart` runs the demo: it deploys the pushed commit and stops cleanly', {
  timeout: 240_000,
}, async () => {
  const result = await execa('pnpm', ['quickstart'], {
    cwd: root,
    reject: false,
    timeout: 120_000,
    env: { SENTRY_GIT_LOG_FORMAT: 'json', NO_COLOR: '1' },
  });
  expect(result.stderr).not.toMatch(/"level":50/);
  expect(result.exitCode, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/Deployed [0-9a-f]{10} \(the pushed commit\)/);
  expect(result.stdout).toMatch(/demo-app\s+main\s+[0-9a-f]{10}\s+succeeded\s+0/);
  // Its closing hint is a command that works from any folder once sentry-git is on PATH.
  expect(result.stdout).toContain(`sentry-git watch -c ${config}`);
  expect(result.stdout).not.toContain('pnpm sentry-git');

  // Driven by hand as the README shows (no DEMO_DIR from the demo script): a push deploys.
  const work = path.resolve(__dirname, '../.demo/app-work');
  const git = (...args: string[]) => execa('git', args, { cwd: work, env: GIT_TEST_ENV });
  await git('commit', '--quiet', '--allow-empty', '-m', 'by hand');
  await git('push', '--quiet', 'origin', 'HEAD:main');
  const byHand = await execa('node', [BIN, 'watch', '--once'], {
    cwd: path.dirname(config),
    reject: false,
    env: { SENTRY_GIT_LOG_FORMAT: 'json', DEMO_DIR: undefined },
  });
  expect(byHand.exitCode, byHand.stderr).toBe(0);
  expect(byHand.stderr).toContain('Deploying demo-app (demo-app) branch main');
});
