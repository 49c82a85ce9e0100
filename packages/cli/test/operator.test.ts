import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir } from '@sentry-git/test-utils';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from './cli.js';
import { ACTOR, project, type RunJson, runEnded, runStarted, stdoutContains } from './operator.js';

/**
 * The operator's commands without a running watch's server: each works on the state store, with
 * an engine of its own where it deploys, and records the actor as user@host.
 */

function config(url: string, commands: string[], extra = ''): string {
  return `polling_interval: 1
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
groups:
  web: { execution_strategy: parallel }
repositories:
  - name: app
    monitor: { repo_url: "${url}", branches: ["main", "dev-.*"] }
    deploy: { commands: ${JSON.stringify(commands)} }
  - name: site
    group: web
    monitor: { repo_url: "${url}", branches: ["main"] }
    deploy: { commands: ["true"] }
${extra}`;
}

const RECORD = 'echo "$SENTRY_COMMIT $SENTRY_TRIGGER" >> "$CONFIG_DIR/deploys.log"';

async function runsJson(dir: string, ...filters: string[]): Promise<RunJson[]> {
  const result = await cli(['runs', '--json', ...filters], { cwd: dir });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as RunJson[];
}

async function deploys(dir: string): Promise<string[]> {
  return (await readFile(path.join(dir, 'deploys.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

describe('deploy, rerun, logs and runs filters without a watch', () => {
  it('deploys a chosen commit (a rollback), shows its jobs as they start and end, and re-runs it with the same SHA', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const first = (await remote.heads()).get('main')!;
    const dir = await project(config(remote.bare, ['echo "deploying $SENTRY_COMMIT"', RECORD]));
    const env = { CONFIG_DIR: dir };
    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    await remote.commit('main');

    const deployed = await cli(['deploy', 'app', '--branch', 'main', '--sha', first], { cwd: dir, env });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const [run] = await runsJson(dir, '--trigger', 'deploy');
    expect(run).toMatchObject({ unit: 'repository:app', status: 'succeeded', requestedBy: ACTOR });
    expect(run!.jobs).toMatchObject([{ repository: 'app', branch: 'main', sha: first }]);
    expect(deployed.stdout).toMatch(new RegExp(`run ${run!.id}  repository:app  deploy  succeeded`));
    // Off a terminal the progress is whole lines on stderr: no spinner, no escape codes.
    const progress = deployed.stderr.split('\n').filter((line) => !line.startsWith('{'));
    expect(progress).toEqual(
      expect.arrayContaining([
        `run ${run!.id} queued: repository:app, deploy, 1 job`,
        `  started app main ${first.slice(0, 10)}`,
        expect.stringMatching(new RegExp(`^  succeeded app main ${first.slice(0, 10)} in \\d`)),
        expect.stringMatching(new RegExp(`^run ${run!.id} succeeded in \\d`)),
      ]),
    );
    expect(deployed.stderr).not.toContain('\x1b[');
    expect(deployed.stderr).not.toContain('\r');

    const logs = await cli(['logs', run!.id], { cwd: dir });
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain(`deploying ${first}`);

    const rerun = await cli(['rerun', run!.id, '--json'], { cwd: dir, env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const again = JSON.parse(rerun.stdout) as RunJson;
    expect(again).toMatchObject({ trigger: 'rerun', status: 'succeeded', requestedBy: ACTOR });
    expect(again.jobs).toMatchObject([{ repository: 'app', branch: 'main', sha: first }]);
    expect(await deploys(dir)).toEqual([`${first} deploy`, `${first} rerun`]);

    expect((await runsJson(dir, '--trigger', 'rerun')).map((one) => one.id)).toEqual([again.id]);
    expect(await runsJson(dir, '--since', '1h', '--status', 'succeeded')).toHaveLength(2);
    expect(await runsJson(dir, '--since', '2099-01-01')).toEqual([]);
    expect((await cli(['runs', '--since', '2099-01-01'], { cwd: dir })).stdout).toBe('No runs match.');
    expect(await runsJson(dir, '--unit', 'web')).toEqual([]);
    expect(await runsJson(dir, '--unit', 'repository:app', '--repository', 'app')).toHaveLength(2);
  });

  it('refuses bad input with the value and the fix, and exits non-zero', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(config(remote.bare, ['true']));
    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(0);
    expect((await cli(['trigger', 'app'], { cwd: dir })).exitCode).toBe(0);
    const [finished] = await runsJson(dir);

    const cases: Array<[string[], number, RegExp]> = [
      [['deploy', 'app', '--branch', 'main', '--sha', 'abc123'], 1, /SHA_INVALID.*abc123/s],
      [['deploy', 'app', '--branch', 'nope'], 1, /BRANCH_NOT_WATCHED.*nope/s],
      [['deploy', 'nope', '--branch', 'main'], 1, /nope/],
      [['deploy', 'app'], 2, /Missing required flag branch/],
      [
        ['deploy', 'app', '--branch', 'main', '--no-wait'],
        1,
        /deploy --no-wait needs a running sentry-git watch.*Fix: Run deploy without --no-wait/s,
      ],
      [['rerun', 'run_nope'], 1, /RUN_NOT_FOUND.*run_nope/s],
      [['cancel', 'run_nope'], 1, /RUN_NOT_FOUND.*run_nope.*sentry-git runs/s],
      [
        ['cancel', finished!.id],
        1,
        new RegExp(`RUN_FINISHED.*${finished!.id}.*sentry-git rerun ${finished!.id}`, 's'),
      ],
      [['logs', 'run_nope'], 1, /RUN_NOT_FOUND.*run_nope/s],
      [['logs', finished!.id, '--job', 'nope'], 1, /JOB_NOT_FOUND.*"nope".*app@main/s],
      [['pause'], 2, /pause needs a repository \(one without a group\) or --group GROUP/],
      [['pause', 'app', '--group', 'web'], 2, /not both/],
      [['pause', 'site'], 1, /PAUSE_TARGET_IN_GROUP.*web/s],
      [['pause', '--group', 'nope'], 1, /GROUP_NOT_FOUND.*nope/s],
      [['resume', 'site'], 1, /PAUSE_TARGET_IN_GROUP.*web/s],
      [['runs', '--since', 'yesterday'], 2, /"since" is "yesterday": neither a duration back from now/],
      [['runs', '--status', 'broken'], 2, /Expected --status=broken to be one of/],
      [['runs', '--repository', 'nope'], 1, /UNKNOWN_REPOSITORY.*nope.*app, site/s],
      [['runs', '--unit', 'nope'], 1, /--unit nope is neither a group nor a repository/],
      [['plan', 'nope'], 1, /nope/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(args, { cwd: dir });
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(code);
    }
    // Nothing of that deployed or recorded anything.
    expect(await runsJson(dir)).toHaveLength(1);
  });
});

describe('pause, plan, cancel and resume without a watch', () => {
  it('a paused repository records its changes but deploys nothing until resumed; a queued run can be cancelled', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const first = (await remote.heads()).get('main')!;
    const dir = await project(config(remote.bare, [RECORD]));
    const env = { CONFIG_DIR: dir };
    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);

    const paused = await cli(['pause', 'app', '--reason', 'database migration'], { cwd: dir });
    expect(paused.exitCode, paused.stderr).toBe(0);
    expect(paused.stdout).toContain(`Paused repository:app (by ${ACTOR} at `);
    expect(paused.stdout).toContain(
      ': database migration). Its changes are still recorded; nothing of it deploys until `sentry-git resume app`.',
    );

    const status = await cli(['status'], { cwd: dir });
    expect(status.stdout).toMatch(
      new RegExp(
        `\\n\\nPaused \\(changes are recorded, nothing deploys\\):\\n  repository:app by ${ACTOR} since \\S+: database migration \\(sentry-git resume app\\)$`,
      ),
    );

    const second = await remote.commit('main');
    const plan = await cli(['plan', '--json'], { cwd: dir });
    expect(plan.exitCode, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as {
      units: Array<{
        unit: string;
        paused: { by: string } | null;
        changes: Array<{ branch: string; to: string; deploys: boolean }>;
      }>;
    };
    expect(planned.units.find((unit) => unit.unit === 'repository:app')).toMatchObject({
      paused: { by: ACTOR },
      changes: [{ branch: 'main', to: second, deploys: true }],
    });
    const text = await cli(['plan'], { cwd: dir });
    expect(text.stdout).toMatch(
      /repository:app {2}paused \(by .*: database migration\): nothing deploys until resumed/,
    );
    expect(text.stdout).toMatch(/app {9}main {4}\w{10} {2}\w{10} {2}updated {2}yes/);
    // The plan recorded nothing: the stored head is still the first one.
    const heads = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout) as Array<{
      name: string;
      heads: Array<{ sha: string }>;
    }>;
    expect(heads.find((repo) => repo.name === 'app')?.heads.map((head) => head.sha)).toEqual([first]);

    // A poll records the change; its run waits, queued, for the pause (in another process: a
    // pause outlives the process that set it).
    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    const [waiting] = await runsJson(dir, '--status', 'queued');
    expect(waiting).toMatchObject({ unit: 'repository:app', trigger: 'poll', jobs: [{ sha: second }] });
    expect(await deploys(dir)).toEqual([]);

    const cancel = await cli(['cancel', waiting!.id, '--reason', 'not this one'], { cwd: dir });
    expect(cancel.exitCode, cancel.stderr).toBe(0);
    expect(cancel.stdout).toBe(`Cancelled run ${waiting!.id} (repository:app, queued): it will not start.`);
    const [cancelled] = await runsJson(dir, '--status', 'cancelled');
    expect(cancelled).toMatchObject({ id: waiting!.id, error: `cancelled by ${ACTOR}: not this one` });

    const third = await remote.commit('main');
    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    const [queued] = await runsJson(dir, '--status', 'queued');
    const resumed = await cli(['resume', 'app'], { cwd: dir, env });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(
      `Resumed repository:app: ${queued!.id} waited; a running watch starts it within a few seconds, else the next \`sentry-git watch\` does.`,
    );
    // No watch ran it meanwhile; the next one does.
    expect(await deploys(dir)).toEqual([]);
    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    expect(await deploys(dir)).toEqual([`${third} poll`]);
    expect((await cli(['resume', 'app'], { cwd: dir })).stdout).toBe(
      'repository:app was not paused: nothing to resume.',
    );
  });
});

describe('a watch without a server', () => {
  it('follows a running job’s output, and cancels the run through the state store within seconds', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(
      config(remote.bare, [
        'echo "first line"',
        // Holds the job until it is cancelled (a FIFO nobody writes: no timer).
        'read -r go < "$CONFIG_DIR/gate"',
        'echo "never printed"',
      ]),
    );
    await execa('mkfifo', [path.join(dir, 'gate')]);
    const env = { CONFIG_DIR: dir };
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir, env });
    await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('poll finished'));
    await remote.commit('main');
    const runId = await runStarted(watch, 'app');

    const follow = spawnCli(['logs', runId, '--follow'], { cwd: dir, env });
    await stdoutContains(follow.child, 'first line');

    const cancel = await cli(['cancel', runId, '--reason', 'stop it', '--json'], { cwd: dir });
    expect(cancel.exitCode, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({
      outcome: 'requested',
      run: { id: runId, status: 'running' },
    });
    const ended = await runEnded(watch, runId);
    expect(ended.status).toBe('cancelled');
    const followed = await follow.child;
    expect(followed.exitCode, String(followed.stderr)).toBe(0);
    expect(followed.stdout).not.toContain('never printed');
    expect(followed.stderr).toMatch(/\(app main: cancelled/);

    const [run] = await runsJson(dir, '--repository', 'app');
    expect(run).toMatchObject({
      id: runId,
      status: 'cancelled',
      cancelRequest: { by: ACTOR, reason: 'stop it' },
    });
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });
});
