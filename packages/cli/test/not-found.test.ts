import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.js';

describe('an unknown command', () => {
  it('is named with the closest command, without a terminal too, and exits 127', async () => {
    const result = await cli(['wach'], { cwd: await tempdir() });
    expect(result.exitCode).toBe(127);
    expect(result.stderr.split('\n')).toEqual([
      '"wach" is not a sentry-git command.',
      'Did you mean `sentry-git watch`?',
      '`sentry-git help` lists the commands.',
    ]);
  });

  it('runs nothing: a mistyped trigger deploys nothing and opens no state', async () => {
    const dir = await tempdir();
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `repositories:
  - name: app
    monitor: { repo_url: ./app.git, branches: [main] }
    deploy: { commands: ["touch deployed"] }
`,
    );
    const result = await cli(['trigr', 'app'], { cwd: dir });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('Did you mean `sentry-git trigger`?');
    expect(existsSync(path.join(dir, '.sentry-git'))).toBe(false);
    expect(existsSync(path.join(dir, 'deployed'))).toBe(false);
  });

  it('names the closest command of a topic (state export, state import), or the topic', async () => {
    const cwd = await tempdir();
    const inTopic = await cli(['state', 'exprt'], { cwd });
    expect(inTopic.exitCode).toBe(127);
    expect(inTopic.stderr.split('\n').slice(0, 2)).toEqual([
      '"state exprt" is not a sentry-git command.',
      'Did you mean `sentry-git state export`?',
    ]);
    const topic = await cli(['stte', 'import'], { cwd });
    expect(topic.exitCode).toBe(127);
    expect(topic.stderr).toContain('Did you mean `sentry-git state`?');
  });

  it('suggests nothing when no command is close', async () => {
    const result = await cli(['xyzzy'], { cwd: await tempdir() });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe('"xyzzy" is not a sentry-git command.\n`sentry-git help` lists the commands.');
  });
});

describe('an unknown flag', () => {
  it("is named with the command's closest flag, and the command does not run", async () => {
    const dir = await tempdir();
    const result = await cli(['status', '--jsn'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Nonexistent flag: --jsn');
    expect(result.stderr).toContain('Did you mean --json for --jsn?');
    expect(existsSync(path.join(dir, '.sentry-git'))).toBe(false);
  });

  it('suggests a shared flag too, and nothing when no flag is close', async () => {
    const dir = await tempdir();
    const close = await cli(['validate', '--confg=x.yaml'], { cwd: dir });
    expect(close.exitCode).toBe(2);
    expect(close.stderr).toContain('Did you mean --config for --confg=x.yaml?');
    const far = await cli(['validate', '--xyzzy'], { cwd: dir });
    expect(far.exitCode).toBe(2);
    expect(far.stderr).toContain('Nonexistent flag: --xyzzy');
    expect(far.stderr).not.toContain('Did you mean');
  });
});
