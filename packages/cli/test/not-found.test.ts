import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { tempdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN, cli } from './cli.js';

/** util-linux `script` gives the command a pseudo-terminal, as a person's shell would. */
const SCRIPT = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs `sentry-git ...args` on a terminal; `answer` is typed once `prompt` appears. */
async function onTerminal(args: string[], cwd: string, prompt: string, answer: string) {
  const command = ['node', BIN, ...args].map(quote).join(' ');
  const child = execa(SCRIPT, ['-qefc', command, '/dev/null'], {
    cwd,
    env: { NO_COLOR: '1', SHELL: '/bin/sh', TERM: 'dumb' },
    reject: false,
    stdin: 'pipe',
  });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(prompt)) resolve();
    });
    child.then((result) => reject(new Error(`exited (${result.exitCode}) before "${prompt}":\n${seen}`)));
  });
  child.stdin!.write(answer);
  const result = await child;
  return { exitCode: result.exitCode, output: stripVTControlCharacters(result.stdout) };
}

describe('an unknown command', () => {
  it('is named, with the way to list commands, and exits 127 (no terminal: no prompt)', async () => {
    const result = await cli(['wach'], { cwd: await tempdir() });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('wach is not a sentry-git command.');
    expect(result.stderr).toContain('Run sentry-git help for a list of available commands.');
  });

  describe.skipIf(!SCRIPT)('on a terminal', () => {
    it('asks "Did you mean watch?" and runs nothing when told no', async () => {
      const result = await onTerminal(['wach'], await tempdir(), 'Did you mean watch?', 'n\r');
      expect(result.output).toContain('wach is not a sentry-git command.');
      expect(result.output).toContain('Run sentry-git help for a list of available commands.');
      expect(result.exitCode).toBe(127);
    });

    it('runs the suggestion when told yes', async () => {
      const dir = await tempdir();
      await writeFile(
        path.join(dir, 'sentry.yaml'),
        `repositories:
  - name: app
    monitor: { repo_url: ./app.git, branches: [main] }
    deploy: { commands: ["true"] }
`,
      );
      const result = await onTerminal(['valdate'], dir, 'Did you mean validate?', 'y\r');
      expect(result.output).toContain(`${path.join(dir, 'sentry.yaml')}: valid (1 repositories`);
      expect(result.exitCode).toBe(0);
    });
  });
});
