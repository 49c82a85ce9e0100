import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from './cli.js';

async function project(url: string, commands: string[], global = ''): Promise<string> {
  const dir = await tempdir();
  await writeFile(
    path.join(dir, 'sentry.yaml'),
    `polling_interval: 1
global: { tmp_dir: ./jobs${global} }
groups: { site: { execution_strategy: parallel } }
repositories:
  - name: app
    group: site
    monitor: { repo_url: "${url}", branches: ["main", "dev.*"] }
    deploy: { commands: ${JSON.stringify(commands)} }
`,
  );
  return dir;
}

function parse(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('watch: the start line and baselines', () => {
  it('--once logs one start line first, then each baseline with its branches (JSON and pretty)', async () => {
    const remote = await gitdir({ branches: ['main', 'dev-1'] });
    const heads = await remote.heads();
    const dir = await project(remote.bare, ['true']);
    const result = await cli(['watch', '--once'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = parse(result.stderr);
    const state = path.join(dir, '.sentry-git', 'state.db');
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: `polling 1 repository (1 group) once; state: ${state}`,
      repositories: 1,
      groups: 1,
      state,
    });
    const short = (branch: string) => heads.get(branch)!.slice(0, 8);
    expect(lines.filter((line) => String(line.msg).includes('baseline'))).toEqual([
      expect.objectContaining({
        level: 30,
        repository: 'app',
        branches: 2,
        msg: `app: baseline recorded, 2 branches: dev-1@${short('dev-1')}, main@${short('main')}`,
      }),
    ]);

    const pretty = await cli(['watch', '--once'], { cwd: dir, env: { SENTRY_GIT_LOG_FORMAT: 'pretty' } });
    expect(pretty.exitCode, pretty.stderr).toBe(0);
    expect(pretty.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^\\[\\d\\d:\\d\\d:\\d\\d\\] INFO: polling 1 repository \\(1 group\\) once; state: ${state}$`,
      ),
    );
    // Seen already: no second baseline.
    expect(pretty.stderr).not.toContain('baseline');
  });

  it('watch names the server address in its start line', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(remote.bare, ['true']);
    const watch = spawnCli(['watch', '--port', '0', '--host', '127.0.0.1'], { cwd: dir });
    const started = await watch.waitForLog((line) => String(line.msg).startsWith('watching '));
    expect(String(started.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started).toMatchObject({
      level: 30,
      msg: `watching 1 repository (1 group) every 1 s; state: ${path.join(dir, '.sentry-git', 'state.db')}; server and console: ${String(started.url)}/`,
    });
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
    expect(watch.logs.filter((line) => String(line.msg).startsWith('watching '))).toHaveLength(1);
  });

  it('watch on the memory store warns once that a restart baselines again, and names the fix', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(remote.bare, ['true']);
    await appendFile(path.join(dir, 'sentry.yaml'), 'state: { driver: memory }\n');
    const watch = spawnCli(['watch'], { cwd: dir });
    await watch.waitForLog((line) => String(line.msg).startsWith('app: baseline recorded'));
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
    const warnings = watch.logs.filter((line) => String(line.msg).includes('durable'));
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        stateStore: 'memory',
        msg: 'state store "memory" is not durable: a restart forgets every head and the run history, so the first poll after it records a baseline again and deploys nothing pushed meanwhile. Fix: state.driver: sqlite (the CLI\'s default; a program embedding the engine adds the @sentry-git/state-sqlite plugin).',
      }),
    ]);
    expect(watch.logs.find((line) => String(line.msg).startsWith('watching '))).toMatchObject({
      msg: 'watching 1 repository (1 group) every 1 s; state: in memory (forgotten on exit)',
    });
  });
});

describe('watch: a second signal', () => {
  it('says how many running jobs it cancels, the runs say why, and the cancelled job is queued again', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(
      remote.bare,
      ['echo started', 'sleep 300 & wait'],
      ', shutdown_grace: 600, deploy_on_first_sight: true',
    );
    const watch = spawnCli(['watch'], { cwd: dir });
    await watch.waitForLog((line) => line.stream === 'stdout' && line.msg === 'started');
    watch.child.kill('SIGTERM');
    await watch.waitForLog((line) => line.msg === 'SIGTERM: stopping (running jobs may finish within 600 s)');
    watch.child.kill('SIGTERM');
    const cancelling = await watch.waitForLog((line) => String(line.msg).includes('cancelling'));
    expect(cancelling).toMatchObject({ level: 40, msg: 'second SIGTERM: cancelling 1 running job now' });
    const result = await watch.child;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain('0 s grace');

    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout) as Array<{
      id: string;
      status: string;
      error: string;
      jobs: Array<{ id: string; status: string; error: string; sha: string; attempt: number }>;
    }>;
    // Newest first: the run queued again for the next start, then the cancelled one.
    expect(runs).toHaveLength(2);
    const [requeued, cancelled] = runs;
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      error: 'sentry-git stopped (second SIGTERM): running jobs were cancelled without a grace period',
    });
    expect(cancelled!.jobs[0]).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect(requeued).toMatchObject({
      status: 'queued',
      jobs: [{ status: 'queued', sha: cancelled!.jobs[0]!.sha, attempt: 1 }],
    });
    expect(
      watch.logs.find((line) =>
        String(line.msg).startsWith(`run ${cancelled!.id} was cancelled by the shutdown`),
      ),
    ).toMatchObject({
      level: 40,
      msg: `run ${cancelled!.id} was cancelled by the shutdown: its unfinished job is queued again as run ${requeued!.id} for the next start`,
    });

    // The next start deploys it, as its second attempt.
    const again = spawnCli(['watch'], { cwd: dir });
    await again.waitForLog((line) => line.stream === 'stdout' && line.msg === 'started');
    expect(again.logs.map((line) => line.msg)).toContain(
      `job ${requeued!.jobs[0]!.id} started by an earlier process is run again (attempt 2)`,
    );
    again.child.kill('SIGTERM');
    await again.waitForLog((line) => String(line.msg).startsWith('SIGTERM: stopping'));
    again.child.kill('SIGTERM');
    await again.child;
  });
});
