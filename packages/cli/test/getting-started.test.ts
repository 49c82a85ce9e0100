import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { git, tempdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { linkedShell } from './linked-shell.js';
import { codeBlocks, section } from './markdown.js';

const ROOT = path.resolve(__dirname, '../../..');
const GUIDE = path.join(ROOT, 'docs/getting-started.md');

/**
 * docs/getting-started.md section 2, as a reader does it after the README's set-up: `sentry-git`
 * on PATH through the set-up's link, a folder outside the repository, and every `sh` block of the
 * section pasted in order into one terminal.
 */
// Seven CLI runs; each takes seconds on a loaded machine.
it('runs the getting-started steps as written, from a folder outside the repository', {
  timeout: 240_000,
}, async () => {
  const home = await tempdir('sentry-git-getting-started-');
  expect(path.relative(ROOT, home).startsWith('..')).toBe(true);
  const shell = await linkedShell(home);
  const found = await shell.run('command -v sentry-git', home);
  expect(found.stdout.trim()).toBe(path.join(shell.bin, 'sentry-git'));

  const steps = codeBlocks(section(await readFile(GUIDE, 'utf8'), '2. '), 'sh');
  const step = (text: string, from = 0) => {
    const index = steps.findIndex((block, i) => i >= from && block.includes(text));
    expect(index, `docs/getting-started.md section 2 has no sh block with "${text}"`).toBeGreaterThanOrEqual(
      0,
    );
    return index;
  };
  const validate = step('sentry-git validate');
  const baseline = step('sentry-git watch --once', validate + 1);
  const deploy = step('sentry-git watch --once', baseline + 1);
  expect(steps[deploy]).toMatch(/git commit[\s\S]*git push[\s\S]*sentry-git watch --once/);
  const history = step('sentry-git runs --json | node -e', deploy + 1);

  let cwd = home;
  const results = [];
  for (const [index, block] of steps.entries()) {
    const result = await shell.run(block, cwd);
    expect(result.exitCode, `sh block ${index + 1} of section 2 failed:\n${block}\n${result.stderr}`).toBe(0);
    cwd = result.cwd;
    results.push(result);
    if (index === baseline) {
      const runs = await execa(path.join(shell.bin, 'sentry-git'), ['runs', '--json'], {
        cwd,
        env: shell.env,
        extendEnv: false,
      });
      expect(JSON.parse(runs.stdout), 'the baseline poll deployed something').toEqual([]);
    }
  }

  expect(cwd).toBe(await realpath(path.join(home, 'sentry-demo')));
  expect(results[validate]!.stdout).toContain(`${cwd}/sentry.yaml: valid (1 repositor`);
  const pushed = await git(path.join(cwd, 'work'), 'rev-parse', 'HEAD');
  expect(results[deploy]!.stderr).toContain(`deploying app main at ${pushed.slice(0, 8)}`);
  const [status, ...output] = results[history]!.stdout.split(' ');
  expect(status).toBe('succeeded');
  expect(output.join(' ')).toContain(`deploying app main at ${pushed}`);
});
