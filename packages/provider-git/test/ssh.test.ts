import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { testProvider } from './helpers.js';

/** An `ssh` first on PATH that records its arguments and refuses, as a server without our key would. */
async function fakeSsh(): Promise<{ dir: string; program: string; log: () => Promise<string> }> {
  const dir = await tempdir('sentry-git-ssh-');
  const program = path.join(dir, 'ssh');
  const logFile = path.join(dir, 'ssh.log');
  await writeFile(
    program,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${logFile}'\necho 'git@example.invalid: Permission denied (publickey).' >&2\nexit 255\n`,
  );
  await chmod(program, 0o755);
  return { dir, program, log: () => readFile(logFile, 'utf8').catch(() => '') };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

describe('ssh remotes', () => {
  it.each([
    ['ssh://', 'ssh://git@example.invalid/org/repo.git'],
    ['scp-like', 'git@example.invalid:org/repo.git'],
  ])('run ssh in batch mode for %s URLs and report a refused key as GIT_AUTH_FAILED', async (_kind, url) => {
    const ssh = await fakeSsh();
    const provider = testProvider({ env: { PATH: `${ssh.dir}:${process.env.PATH}` } });
    const error = await failure(
      provider.listHeads(
        { repository: 'over-ssh', url, type: 'git', auth: { token: 'tok_never-for-ssh-1234' } },
        { match: () => true, signal: new AbortController().signal },
      ),
    );
    expect(error.code).toBe('GIT_AUTH_FAILED');
    expect(error.message).toContain('over-ssh');
    const log = await ssh.log();
    expect(log).toContain('BatchMode=yes');
    expect(log).toContain('example.invalid');
    expect(log).not.toContain('tok_never-for-ssh-1234');
  });

  it("keeps the user's GIT_SSH_COMMAND", async () => {
    const ssh = await fakeSsh();
    const provider = testProvider({ env: { GIT_SSH_COMMAND: `${ssh.program} -o UserChoice=1` } });
    await failure(
      provider.listHeads(
        { repository: 'over-ssh', url: 'ssh://git@example.invalid/org/repo.git', type: 'git' },
        { match: () => true, signal: new AbortController().signal },
      ),
    );
    const log = await ssh.log();
    expect(log).toContain('UserChoice=1');
    expect(log).not.toContain('BatchMode=yes');
  });

  it('drops a password written into an ssh:// URL from the arguments', async () => {
    const ssh = await fakeSsh();
    const provider = testProvider({ env: { PATH: `${ssh.dir}:${process.env.PATH}` } });
    const error = await failure(
      provider.listHeads(
        { repository: 'over-ssh', url: 'ssh://git:pw-in-url-9876@example.invalid/org/repo.git', type: 'git' },
        { match: () => true, signal: new AbortController().signal },
      ),
    );
    expect(error.message).not.toContain('pw-in-url-9876');
    const log = await ssh.log();
    expect(log).toContain('git@example.invalid');
    expect(log).not.toContain('pw-in-url-9876');
  });
});
