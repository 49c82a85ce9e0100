import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type GitFixture, gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from './cli.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A project watching `remote`, whose bare repository the test moves away (polls fail) and back. */
async function project(remote: GitFixture, pollingInterval = 1): Promise<string> {
  const dir = await tempdir();
  await writeFile(
    path.join(dir, 'sentry.yaml'),
    `polling_interval: ${pollingInterval}
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: ["main"] }
    deploy:
      project_name: app
      commands: ["true"]
`,
  );
  return dir;
}

function breaker(remote: GitFixture) {
  return {
    break: () => rename(remote.bare, `${remote.bare}.away`),
    mend: () => rename(`${remote.bare}.away`, remote.bare),
  };
}

interface StatusEntry {
  name: string;
  seen: boolean;
  health: {
    consecutiveFailures: number;
    lastError: string | null;
    lastErrorAt: string | null;
    failingSince: string | null;
    lastPollAt: string | null;
    nextPollAt: string | null;
  };
}

async function statusJson(dir: string): Promise<StatusEntry[]> {
  const result = await cli(['status', '--json'], { cwd: dir });
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as StatusEntry[];
}

describe('status shows poll failures', () => {
  it('after failed `watch --once` polls: the count, since when and the last error; cleared by a successful poll', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(remote);
    const repository = breaker(remote);
    await repository.break();
    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(1);
    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(1);

    const [app] = await statusJson(dir);
    expect(app).toMatchObject({
      name: 'app',
      seen: false,
      health: {
        consecutiveFailures: 2,
        lastError: expect.stringContaining('does not appear to be a git repository'),
        lastErrorAt: expect.stringMatching(ISO),
        failingSince: expect.stringMatching(ISO),
        lastPollAt: null,
        nextPollAt: null,
      },
    });
    const { failingSince, lastErrorAt } = app!.health;
    expect(failingSince! < lastErrorAt!).toBe(true);

    const table = await cli(['status'], { cwd: dir });
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^REPOSITORY\s+GROUP\s+BRANCH\s+LAST SEEN\s+SEEN AT\s+LAST RUN\s+POLLS$/m);
    expect(table.stdout).toMatch(/^app\s+-\s+\(poll failing\)\s+-\s+-\s+-\s+failing \(2 in a row\)$/m);
    expect(table.stdout).toContain(
      `Poll failures:\n  app: 2 failed polls in a row since ${failingSince}, last at ${lastErrorAt}\n    Git found no repository`,
    );
    // The multi-line git error is one line under its repository.
    expect(table.stdout).toMatch(/does not appear to be a git repository fatal: Could not read from remote/);

    await repository.mend();
    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(0);
    const [healed] = await statusJson(dir);
    expect(healed!.seen).toBe(true);
    expect(healed!.health).toMatchObject({
      consecutiveFailures: 0,
      lastError: null,
      lastErrorAt: null,
      failingSince: null,
    });
    const clean = await cli(['status'], { cwd: dir });
    expect(clean.stdout).toMatch(/^app\s+-\s+main\s+\w{10}\s+\S+\s+\S+.*\s+ok$/m);
    expect(clean.stdout).not.toContain('Poll failures');
  });

  it('the running server’s /api/v1/status shows the same poll health as `status --json`', async () => {
    const remote = await gitdir({ branches: ['main'] });
    // Hourly: after the first (failing) poll, nothing changes while the test reads.
    const dir = await project(remote, 3600);
    await breaker(remote).break();
    const watch = spawnCli(['watch', '--port', '0', '--host', '127.0.0.1'], { cwd: dir });
    const listening = await watch.waitForLog((line) => typeof line.url === 'string');
    await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('poll finished'));
    // The failure is written before the cycle finishes: both readers see it now.
    const served = (await (await fetch(`${listening.url as string}/api/v1/status`)).json()) as {
      repositories: StatusEntry[];
    };
    const [fromCli] = await statusJson(dir);
    const [fromServer] = served.repositories;
    expect(Object.keys(fromServer!).sort()).toEqual(Object.keys(fromCli!).sort());
    expect(Object.keys(fromServer!.health).sort()).toEqual(Object.keys(fromCli!.health).sort());
    const { lastPollAt, nextPollAt, ...persisted } = fromServer!.health;
    expect(persisted).toEqual({
      consecutiveFailures: 1,
      lastError: fromCli!.health.lastError,
      lastErrorAt: fromCli!.health.lastErrorAt,
      failingSince: fromCli!.health.failingSince,
    });
    expect(fromCli!.health.consecutiveFailures).toBe(1);
    // Only the engine knows when it polled last and when it polls next.
    expect(lastPollAt).toMatch(ISO);
    expect(nextPollAt).toMatch(ISO);
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });
});
