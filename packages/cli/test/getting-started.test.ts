import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { GIT_TEST_ENV, git, tempdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { BIN } from './cli.js';
import { codeBlocks, section } from './markdown.js';

const ROOT = path.resolve(__dirname, '../../..');
const GUIDE = path.join(ROOT, 'docs/getting-started.md');

/**
 * docs/getting-started.md section 2, as a reader does it after the README's set-up: `sentry-git`
 * linked by scripts/link-cli.sh (the set-up's link step) into a bin folder first on PATH, a
 * folder outside the repository, and every `sh` block of the section pasted in order into a shell.
 */
it('runs the getting-started steps as written, from a folder outside the repository', async () => {
  const home = await tempdir('sentry-git-getting-started-');
  expect(path.relative(ROOT, home).startsWith('..')).toBe(true);
  const bin = path.join(home, 'bin');
  const linked = await execa('bash', [path.join(ROOT, 'scripts/link-cli.sh'), bin], { reject: false });
  expect(linked.exitCode, linked.stderr).toBe(0);
  expect(linked.stderr).toContain(`sentry-git linked: ${bin}/sentry-git -> ${BIN}`);

  // A fresh shell: only PATH (with the link first), a home without git or npm configuration.
  const env = {
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...GIT_TEST_ENV,
  };
  const shell = (script: string, cwd: string) =>
    execa('bash', ['-c', `set -euo pipefail\n${script}\npwd >&3`], {
      cwd,
      env,
      extendEnv: false,
      reject: false,
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
  const found = await shell('command -v sentry-git', home);
  expect(found.stdout.trim()).toBe(path.join(bin, 'sentry-git'));

  const steps = codeBlocks(section(await readFile(GUIDE, 'utf8'), '2. '), 'sh');
  const step = (text: string, from = 0) => {
    const index = steps.findIndex((block, i) => i >= from && block.includes(text));
    expect(index, `docs/getting-started.md section 2 has no sh block with "${text}"`).toBeGreaterThanOrEqual(0);
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
    const result = await shell(block, cwd);
    expect(result.exitCode, `sh block ${index + 1} of section 2 failed:\n${block}\n${result.stderr}`).toBe(0);
    // The shell's folder carries over to the next block, as in the reader's terminal.
    cwd = String(result.stdio[3]).trim();
    results.push(result);
    if (index === baseline) {
      const runs = await execa(path.join(bin, 'sentry-git'), ['runs', '--json'], { cwd, env, extendEnv: false });
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
