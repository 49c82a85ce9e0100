import path from 'node:path';
import { GIT_TEST_ENV } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { expect } from 'vitest';
import { BIN } from './cli.js';

const ROOT = path.resolve(__dirname, '../../..');

export interface LinkedShell {
  /** The folder the CLI is linked into, first on PATH. */
  bin: string;
  env: Record<string, string>;
  /**
   * Runs `script` in bash (errexit, pipefail) from `cwd`, as pasted into a terminal; `cwd` of the
   * result is the shell's folder at the end, so a `cd` carries over to the next script.
   */
  run(
    script: string,
    cwd: string,
  ): Promise<{ exitCode: number; stdout: string; stderr: string; cwd: string }>;
}

/**
 * A reader's shell after the README's set-up: `sentry-git` linked by scripts/link-cli.sh (the
 * set-up's link step) into `<home>/bin`, first on PATH, and a home without git or npm
 * configuration. Nothing of the repository is the working directory.
 */
export async function linkedShell(home: string): Promise<LinkedShell> {
  const bin = path.join(home, 'bin');
  const linked = await execa('bash', [path.join(ROOT, 'scripts/link-cli.sh'), bin], { reject: false });
  expect(linked.exitCode, linked.stderr).toBe(0);
  expect(linked.stderr).toContain(`sentry-git linked: ${bin}/sentry-git -> ${BIN}`);
  const env = {
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...GIT_TEST_ENV,
  };
  return {
    bin,
    env,
    async run(script, cwd) {
      const result = await execa('bash', ['-c', `set -euo pipefail\n${script}\npwd >&3`], {
        cwd,
        env,
        extendEnv: false,
        reject: false,
        timeout: 120_000,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      return {
        exitCode: result.exitCode ?? -1,
        stdout: result.stdout,
        stderr: result.stderr,
        cwd: String(result.stdio[3]).trim() || cwd,
      };
    },
  };
}
