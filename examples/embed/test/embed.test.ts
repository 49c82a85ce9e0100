import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';

const here = path.resolve(__dirname, '..');

it('the embed script polls a baseline, deploys through trigger() with events, and closes', async () => {
  const result = await execa('node', [path.join(here, 'embed.mjs')], {
    cwd: here,
    reject: false,
    timeout: 60_000,
  });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  // The head of the repository the script created: what trigger() must deploy.
  const sha = execFileSync('git', ['rev-parse', 'main'], {
    cwd: path.join(here, '.demo/app.git'),
    encoding: 'utf8',
  }).trim();
  expect(sha).toMatch(/^[0-9a-f]{40}$/);
  const lines = result.stdout.split('\n');
  // The first poll is a baseline: nothing changed, nothing deployed.
  expect(lines).toContain('baseline: checked 1, changed 0, runs 0');
  // The events of the triggered run, in order, ending with the result and close().
  const runId = /event run:queued (run_\S+) repository:app manual/.exec(result.stdout)?.[1];
  expect(runId).toBeDefined();
  const expected = [
    `event run:queued ${runId} repository:app manual`,
    `event run:start ${runId}`,
    `event job:output [app] deploying app main at ${sha} (trigger: manual)`,
    'event job:finish app main succeeded exit=0',
    `event run:finish ${runId} succeeded`,
    `result: run ${runId} succeeded (trigger manual)`,
    `result: job app main ${sha} succeeded exit=0`,
    'closed',
  ];
  const positions = expected.map((line) => lines.indexOf(line));
  expect(
    positions.every((position) => position >= 0),
    result.stdout,
  ).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(lines.filter((line) => line !== '').at(-1)).toBe('closed');
});
