import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cli, type LongRunning, spawnCli } from './cli.js';
import { freePort, project, type RunJson, runEnded, stdoutContains } from './operator.js';

/**
 * The operator's commands beside a running watch that serves its API: each goes through the
 * server (found at server.port with the API token), which records the token's name as the actor.
 */

const TOKEN = 'operator-admin-token-0001';
const ALICE = 'alice-admin-token-0002';
const READER = 'read-only-token-00003';

async function serving(
  commands: string[],
): Promise<{ dir: string; watch: LongRunning; url: string; first: string; commit: () => Promise<string> }> {
  const port = await freePort();
  const remote = await gitdir({ branches: ['main'] });
  const dir = await project(`polling_interval: 1
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
server:
  host: 127.0.0.1
  port: ${port}
  token: "\${API_TOKEN}"
  read_token: ${READER}
  tokens: [{ name: alice, token: ${ALICE}, role: admin }]
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: ["main"] }
    deploy: { commands: ${JSON.stringify(commands)} }
`);
  await execa('mkfifo', [path.join(dir, 'gate')]);
  const watch = spawnCli(['watch', '--log-level', 'debug'], {
    cwd: dir,
    env: { CONFIG_DIR: dir, API_TOKEN: TOKEN },
  });
  await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('poll finished'));
  const url = `http://127.0.0.1:${port}`;
  return { dir, watch, url, first: (await remote.heads()).get('main')!, commit: () => remote.commit('main') };
}

/** The CLI with the API token (the watch's own), as an operator on the same host runs it. */
function operator(dir: string, args: string[], token = TOKEN) {
  return cli(args, { cwd: dir, env: { CONFIG_DIR: dir, API_TOKEN: TOKEN, SENTRY_GIT_TOKEN: token } });
}

describe('through a running watch’s server', () => {
  it('deploys and re-runs with the jobs shown from the event stream; follows a log while it runs; cancels a running run', async () => {
    const { dir, watch, url, first, commit } = await serving([
      'echo "deploying $SENTRY_COMMIT ($SENTRY_TRIGGER)"',
      'echo "$SENTRY_COMMIT $SENTRY_TRIGGER" >> "$CONFIG_DIR/deploys.log"',
      // A deploy of the pushed commit waits for the test (a FIFO: no timer); others go through.
      'if [ "$SENTRY_TRIGGER" = poll ]; then read -r go < "$CONFIG_DIR/gate"; echo "released"; fi',
    ]);

    const deployed = await operator(dir, ['deploy', 'app', '--branch', 'main', '--sha', first, '--json']);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(
      `A sentry-git watch is running: deploying through its server at ${url}.`,
    );
    const run = JSON.parse(deployed.stdout) as RunJson;
    expect(run).toMatchObject({ trigger: 'deploy', status: 'succeeded', requestedBy: 'admin' });
    expect(run.jobs).toMatchObject([{ sha: first, status: 'succeeded' }]);
    expect(deployed.stderr).toContain(`  started app main ${first.slice(0, 10)}`);
    expect(deployed.stderr).toMatch(new RegExp(`  succeeded app main ${first.slice(0, 10)} in \\d`));

    const rerun = await operator(dir, ['rerun', run.id, '--no-wait', '--json']);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const queued = JSON.parse(rerun.stdout) as RunJson;
    expect(queued).toMatchObject({ trigger: 'rerun', requestedBy: 'admin' });
    expect((await runEnded(watch, queued.id)).status).toBe('succeeded');

    // A push: the watch deploys it, and the job waits at the gate.
    const second = await commit();
    const started = await watch.waitForLog(
      (line) =>
        typeof line.msg === 'string' && line.msg.startsWith(`deploying app main at ${second.slice(0, 8)}`),
    );
    const pushed = String(started.runId);
    const follow = spawnCli(['logs', pushed, '--follow'], { cwd: dir, env: { API_TOKEN: TOKEN } });
    await stdoutContains(follow.child, `deploying ${second} (poll)`);
    await writeFile(path.join(dir, 'gate'), 'go\n');
    const followed = await follow.child;
    expect(followed.exitCode, String(followed.stderr)).toBe(0);
    expect(followed.stdout).toContain('released');
    expect(followed.stderr).toMatch(/\(app main: succeeded in .*, exit 0\)/);

    // Another push, held at the gate, is cancelled through the server.
    const third = await commit();
    const held = await watch.waitForLog(
      (line) =>
        typeof line.msg === 'string' && line.msg.startsWith(`deploying app main at ${third.slice(0, 8)}`),
    );
    const heldId = String(held.runId);
    const cancel = await operator(dir, ['cancel', heldId, '--reason', 'bad commit']);
    expect(cancel.exitCode, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`Cancelling run ${heldId} (repository:app, running)`);
    expect((await runEnded(watch, heldId)).status).toBe('cancelled');
    const again = await operator(dir, ['cancel', heldId]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('RUN_FINISHED');

    const runs = JSON.parse(
      (await operator(dir, ['runs', '--json', '--status', 'cancelled'])).stdout,
    ) as RunJson[];
    expect(runs).toMatchObject([{ id: heldId, error: 'cancelled by admin: bad commit' }]);
    expect((await readFile(path.join(dir, 'deploys.log'), 'utf8')).split('\n').filter(Boolean)).toEqual([
      `${first} deploy`,
      `${first} rerun`,
      `${second} poll`,
      `${third} poll`,
    ]);
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });

  it('pauses and resumes as the named token SENTRY_GIT_TOKEN gives, plans with a read token, refuses actions of a read token and an unknown token', async () => {
    const { dir, watch, url, commit } = await serving(['echo "$SENTRY_COMMIT" >> "$CONFIG_DIR/deploys.log"']);
    const paused = await operator(dir, ['pause', 'app', '--reason', 'freeze', '--json'], ALICE);
    expect(paused.exitCode, paused.stderr).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({
      unit: 'repository:app',
      by: 'alice',
      reason: 'freeze',
    });

    const pushed = await commit();
    const queued = await watch.waitForLog(
      (line) =>
        typeof line.runId === 'string' && line.msg === `run ${String(line.runId)} queued for repository:app`,
    );
    const plan = JSON.parse((await operator(dir, ['plan', '--json'], READER)).stdout) as {
      units: Array<{ unit: string; paused: { by: string } | null; queued: Array<{ id: string }> }>;
    };
    expect(plan.units).toMatchObject([
      { unit: 'repository:app', paused: { by: 'alice' }, queued: [{ id: queued.runId }] },
    ]);
    const forbidden = await operator(dir, ['resume', 'app'], READER);
    expect(forbidden.exitCode).toBe(1);
    expect(forbidden.stderr).toContain(
      `Error [FORBIDDEN]: The running sentry-git server at ${url} refused the resume (403 FORBIDDEN)`,
    );
    expect(forbidden.stderr).toContain('Fix: Use a token with the admin role for actions');

    const resumed = await operator(dir, ['resume', 'app']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(`Resumed repository:app: ${String(queued.runId)} start now.`);
    expect((await runEnded(watch, String(queued.runId))).status).toBe('succeeded');
    expect(await readFile(path.join(dir, 'deploys.log'), 'utf8')).toBe(`${pushed}\n`);

    const refused = await operator(dir, ['pause', 'app'], 'not-a-token-of-this-server');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      `Error [UNAUTHORIZED]: The running sentry-git server at ${url} refused the pause (401 UNAUTHORIZED)`,
    );
    for (const secret of [TOKEN, ALICE, READER])
      expect(refused.stderr + forbidden.stderr).not.toContain(secret);
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });
});
