import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, type LongRunning, spawnCli } from './cli.js';

async function project(bare: string, server = ''): Promise<string> {
  const dir = await tempdir();
  await writeFile(
    path.join(dir, 'sentry.yaml'),
    `polling_interval: 3600
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
${server}
repositories:
  - name: app
    monitor: { repo_url: "${bare}", branches: ["main"] }
    deploy:
      project_name: app
      commands: ["true"]
`,
  );
  return dir;
}

/** A port free right now (the OS picks it), for a config that must name its port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function watching(dir: string, env: Record<string, string> = {}): Promise<LongRunning> {
  const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir, env });
  await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('poll finished'));
  return watch;
}

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

/** The "  - ..." option lines of an ENGINE_LOCKED message, in order. */
function options(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('  - '));
}

describe('ENGINE_LOCKED beside a running watch', () => {
  it('trigger and a second watch name the holder (pid, command, since) and say what to do, another state file last', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(remote.bare);
    const watch = await watching(dir);
    const pid = watch.child.pid!;
    const headline = new RegExp(
      `^Error \\[ENGINE_LOCKED\\]: Another sentry-git process holds the engine lock of ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.sentry-git/state\\.db: pid ${pid} \\(watch, since ${ISO}\\)\\. Only one process at a time may deploy from a state file\\. Fix: one of these:$`,
      'm',
    );

    const trigger = await cli(['trigger'], { cwd: dir });
    expect(trigger.exitCode).toBe(1);
    expect(trigger.stderr).toMatch(headline);
    expect(options(trigger.stderr)).toEqual([
      expect.stringMatching(
        /^ {2}- Hand the trigger to the running watch: this configuration sets no server\.port, .*Set server\.port \(e\.g\. 8080\) and server\.token \(or export SENTRY_GIT_API_TOKEN\)/,
      ),
      `  - Or stop it first: kill ${pid} (SIGTERM; running jobs get global.shutdown_grace to finish).`,
      '  - `sentry-git status` and `sentry-git runs` only read the state: they are safe beside it.',
      expect.stringMatching(/^ {2}- Only as a last resort, point state\.path at another file/),
    ]);

    const second = await cli(['watch', '--once'], { cwd: dir });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(headline);
    expect(options(second.stderr)[0]).toMatch(
      /^ {2}- To deploy by hand while it runs, use `sentry-git trigger`/,
    );
    expect(options(second.stderr).at(-1)).toMatch(/last resort, point state\.path at another file/);

    // What the message promises: the read-only commands work beside it.
    expect((await cli(['status'], { cwd: dir })).exitCode).toBe(0);
    expect((await cli(['runs'], { cwd: dir })).exitCode).toBe(0);
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });

  it('trigger with server.port but no API token says the token is what is missing for the hand-off', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const port = await freePort();
    const dir = await project(remote.bare, `server: { host: 127.0.0.1, port: ${port} }`);
    const watch = await watching(dir);
    const trigger = await cli(['trigger'], { cwd: dir });
    expect(trigger.exitCode).toBe(1);
    expect(options(trigger.stderr)[0]).toContain(
      `Hand the trigger to the running watch: server.port is ${port}, but no API token is set (SENTRY_GIT_TOKEN, server.token or SENTRY_GIT_API_TOKEN)`,
    );
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });
});
