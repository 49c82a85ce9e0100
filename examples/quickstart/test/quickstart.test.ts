import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';

const demo = path.resolve(__dirname, '../demo.mjs');

it('the quickstart demo deploys the pushed commit and stops cleanly', async () => {
  const result = await execa('node', [demo], {
    reject: false,
    timeout: 120_000,
    env: { SENTRY_GIT_LOG_FORMAT: 'json', NO_COLOR: '1' },
  });
  expect(result.stderr).not.toMatch(/"level":50/);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/Deployed [0-9a-f]{10} \(the pushed commit\)/);
  expect(result.stdout).toMatch(/demo-app\s+main\s+[0-9a-f]{10}\s+succeeded\s+0/);
});
