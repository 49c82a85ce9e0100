import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN } from './cli.js';

const ROOT = path.resolve(__dirname, '../../..');
const LINK_CLI = path.join(ROOT, 'scripts/link-cli.sh');

/**
 * Runs a set-up script with npm's global prefix (`npm prefix -g`) pointed at `prefix` and HOME at
 * `home`, so nothing outside the test's folder is linked.
 */
function runScript(script: string, args: string[], options: { prefix: string; home: string; path?: string }) {
  return execa('bash', [script, ...args], {
    cwd: options.home,
    env: {
      PATH: options.path ?? process.env.PATH ?? '',
      HOME: options.home,
      npm_config_prefix: options.prefix,
    },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
}

describe('scripts/link-cli.sh', () => {
  it("links the built CLI into npm's global bin folder, where `npm i -g` puts commands", async () => {
    const home = await tempdir();
    const prefix = path.join(home, 'npm-global');
    await mkdir(path.join(prefix, 'bin'), { recursive: true });
    const result = await runScript(LINK_CLI, [], { prefix, home });
    expect(result.exitCode, result.stderr).toBe(0);
    const link = path.join(prefix, 'bin/sentry-git');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(BIN);
    expect(result.stderr).toContain(`sentry-git linked: ${link} -> ${BIN}`);
    // That folder is not on this PATH: the script says exactly what to add.
    expect(result.stderr).toContain(`export PATH="${path.join(prefix, 'bin')}:$PATH"`);

    const onPath = await runScript(LINK_CLI, [], {
      prefix,
      home,
      path: `${path.join(prefix, 'bin')}:${process.env.PATH}`,
    });
    expect(onPath.exitCode, onPath.stderr).toBe(0);
    expect(onPath.stderr).not.toContain('export PATH');
  });

  it('falls back to ~/.local/bin when the global bin folder is not writable, and prints the PATH line', async () => {
    const home = await tempdir();
    // A prefix that is a file: its bin folder can be neither used nor created (even by root).
    const prefix = path.join(home, 'not-a-folder');
    await writeFile(prefix, '');
    const result = await runScript(LINK_CLI, [], { prefix, home });
    expect(result.exitCode, result.stderr).toBe(0);
    const link = path.join(home, '.local/bin/sentry-git');
    expect(await readlink(link)).toBe(BIN);
    expect(result.stderr).toContain(`npm's global bin folder (${prefix}/bin) is not writable`);
    expect(result.stderr).toContain(`sentry-git linked: ${link} -> ${BIN}`);
    expect(result.stderr).toContain(`export PATH="${path.join(home, '.local/bin')}:$PATH"`);
  });

  it('replaces an earlier link, and never overwrites a file that is not a link', async () => {
    const home = await tempdir();
    const bin = path.join(home, 'bin');
    await mkdir(bin);
    await symlink('/elsewhere/run.js', path.join(bin, 'sentry-git'));
    const replaced = await runScript(LINK_CLI, [bin], { prefix: home, home });
    expect(replaced.exitCode, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain('(replaces the link to /elsewhere/run.js)');
    expect(await readlink(path.join(bin, 'sentry-git'))).toBe(BIN);

    const other = path.join(home, 'other-bin');
    await mkdir(other);
    await writeFile(path.join(other, 'sentry-git'), '#!/bin/sh\necho installed otherwise\n');
    const refused = await runScript(LINK_CLI, [other], { prefix: home, home });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('exists and is not a symlink');
    expect(await readFile(path.join(other, 'sentry-git'), 'utf8')).toContain('installed otherwise');
  });
});

describe('scripts/setup.sh', () => {
  it('ends by linking sentry-git, and a failed link does not fail the set-up', async () => {
    const home = await tempdir();
    // pnpm itself is not under test here: a stand-in at the pinned version that installs and
    // builds nothing (the checkout is already set up), so only the set-up's own steps run.
    const tools = path.join(home, 'tools');
    await mkdir(tools);
    const rootPackage = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      packageManager: string;
    };
    const version = rootPackage.packageManager.split('@')[1];
    await writeFile(
      path.join(tools, 'pnpm'),
      `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; fi\nexit 0\n`,
    );
    await chmod(path.join(tools, 'pnpm'), 0o755);
    const toolsPath = `${tools}:${process.env.PATH}`;
    const prefix = path.join(home, 'npm-global');
    await mkdir(path.join(prefix, 'bin'), { recursive: true });

    const setup = await runScript(path.join(ROOT, 'scripts/setup.sh'), [], { prefix, home, path: toolsPath });
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(await readlink(path.join(prefix, 'bin/sentry-git'))).toBe(BIN);
    expect(setup.stderr).toContain(`sentry-git linked: ${path.join(prefix, 'bin/sentry-git')}`);

    // A file in the way (another installation): the set-up says so and still succeeds, so
    // `bash .ci/run` is not broken by it.
    const blocked = path.join(home, 'blocked');
    await mkdir(path.join(blocked, 'bin'), { recursive: true });
    await writeFile(path.join(blocked, 'bin/sentry-git'), 'not ours\n');
    const again = await runScript(path.join(ROOT, 'scripts/setup.sh'), [], {
      prefix: blocked,
      home,
      path: toolsPath,
    });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('exists and is not a symlink');
    expect(again.stderr).toContain(`node ${BIN}`);
  });
});
