import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type GitFixture, gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, type LongRunning, spawnCli } from './cli.js';

/**
 * kill -9 soak: real `sentry-git watch` processes (SQLite state, shell executor, local bare
 * repositories) killed 20 times at moments a seeded PRNG picks, during deploys of a standalone
 * repository (one long command) and of a group (three commands per repository), restarted in
 * between while new heads are pushed. Every command appends "<jobId> <step> <sha> start|done"
 * to a log, so the end can check: every pushed head's last SHA deployed, no command of a job
 * run twice, and every job's recorded result matching what its commands logged.
 * SOAK_SEED=<n> replays one sequence.
 */

const KILLS = 20;
const SEED = Number(process.env.SOAK_SEED ?? 20261206);

/** mulberry32: small, seedable, good enough to pick moments. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STEP_SCRIPT = `name=$1; lines=$2
printf '%s %s %s start\\n' "$SENTRY_JOB_ID" "$name" "$SENTRY_COMMIT" >> "$SOAK_LOG"
i=1
while [ "$i" -le "$lines" ]; do
  echo "progress $SENTRY_REPO $name $i"
  sleep 0.04
  i=$((i + 1))
done
printf '%s %s %s done\\n' "$SENTRY_JOB_ID" "$name" "$SENTRY_COMMIT" >> "$SOAK_LOG"
echo "done $SENTRY_REPO $name"
`;

interface Repo {
  name: string;
  fixture: GitFixture;
  steps: Array<{ name: string; lines: number }>;
}

interface StoredJob {
  id: string;
  repository: string;
  sha: string;
  status: string;
  attempt: number;
}

interface StoredRun {
  id: string;
  status: string;
  jobs: StoredJob[];
}

type Moment =
  | { kind: 'progress'; repo: Repo; step: string; line: number }
  | { kind: 'command-done'; repo: Repo; step: string }
  | { kind: 'job-finished'; repo: Repo }
  | { kind: 'queued' };

function describeMoment(moment: Moment): string {
  switch (moment.kind) {
    case 'progress':
      return `${moment.repo.name} ${moment.step} line ${moment.line}`;
    case 'command-done':
      return `${moment.repo.name} ${moment.step} done`;
    case 'job-finished':
      return `${moment.repo.name} job finished`;
    case 'queued':
      return 'run queued';
  }
}

function matches(moment: Moment, line: Record<string, unknown>): boolean {
  const msg = String(line.msg ?? '');
  switch (moment.kind) {
    case 'progress':
      return (
        line.stream === 'stdout' &&
        msg.split('\n').includes(`progress ${moment.repo.name} ${moment.step} ${moment.line}`)
      );
    case 'command-done':
      return line.stream === 'stdout' && msg.split('\n').includes(`done ${moment.repo.name} ${moment.step}`);
    case 'job-finished':
      return line.repository === moment.repo.name && typeof line.status === 'string' && 'durationMs' in line;
    case 'queued':
      return /^run \S+ queued for /.test(msg) || msg.startsWith('changes merged into queued run');
  }
}

async function project(repos: Repo[], log: string): Promise<string> {
  const dir = await tempdir();
  const script = path.join(dir, 'step.sh');
  await writeFile(script, STEP_SCRIPT);
  const entries = repos.map((repo) => {
    const commands = repo.steps.map((step) => `sh ${script} ${step.name} ${step.lines}`);
    return `  - name: ${repo.name}
${repo.name === 'solo' ? '' : '    group: site\n'}    monitor: { repo_url: "${repo.fixture.bare}", branches: ["main"] }
    deploy:
      env: { SOAK_LOG: "${log}" }
      commands: ${JSON.stringify(commands)}
`;
  });
  await writeFile(
    path.join(dir, 'sentry.yaml'),
    `polling_interval: 1
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
groups: { site: { execution_strategy: sequential } }
repositories:
${entries.join('')}`,
  );
  return dir;
}

function watch(dir: string): LongRunning {
  return spawnCli(['watch'], { cwd: dir });
}

async function kill9(running: LongRunning): Promise<void> {
  running.child.kill('SIGKILL');
  await running.child;
}

async function storedRuns(dir: string): Promise<StoredRun[]> {
  const result = await cli(['runs', '--json', '--limit', '10000'], { cwd: dir });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StoredRun[];
}

interface LoggedCommand {
  jobId: string;
  step: string;
  sha: string;
  starts: number;
  dones: number;
}

async function commandLog(file: string): Promise<Map<string, LoggedCommand>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const commands = new Map<string, LoggedCommand>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [jobId = '', step = '', sha = '', event] = line.split(' ');
    const key = `${jobId} ${step}`;
    const entry = commands.get(key) ?? { jobId, step, sha, starts: 0, dones: 0 };
    if (event === 'start') entry.starts += 1;
    else entry.dones += 1;
    commands.set(key, entry);
  }
  return commands;
}

describe('kill -9 soak', () => {
  it(`${KILLS} kills during deploys: no head lost, no command completed twice, runs match the commands' log`, async () => {
    const started = Date.now();
    const random = prng(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const steps = (names: string[], lines: number) => names.map((name) => ({ name, lines }));
    const repos: Repo[] = [
      { name: 'solo', fixture: await gitdir({ branches: ['main'] }), steps: steps(['deploy'], 12) },
      {
        name: 'web',
        fixture: await gitdir({ branches: ['main'] }),
        steps: steps(['build', 'test', 'ship'], 4),
      },
      {
        name: 'api',
        fixture: await gitdir({ branches: ['main'] }),
        steps: steps(['build', 'test', 'ship'], 4),
      },
    ];
    const logDir = await tempdir();
    const log = path.join(logDir, 'commands.log');
    const dir = await project(repos, log);
    const lastPushed = new Map<string, string>();

    // Baseline first: the heads that exist before the soak are not deployed.
    const once = await cli(['watch', '--once'], { cwd: dir });
    expect(once.exitCode, once.stderr).toBe(0);

    const moments: string[] = [];
    let adopted = 0;
    const countAdoptions = (running: LongRunning) => {
      adopted += running.logs.filter((line) => String(line.msg).startsWith('adopting job')).length;
    };
    for (let kill = 0; kill < KILLS; kill += 1) {
      // New heads for one or more repositories, so there is always something to deploy.
      const pushed = repos.filter(() => random() < 0.5);
      if (pushed.length === 0) pushed.push(pick(repos));
      for (const repo of pushed) lastPushed.set(repo.name, await repo.fixture.commit('main'));
      const target = pick(pushed);
      const roll = random();
      const step = pick(target.steps);
      const moment: Moment =
        roll < 0.55
          ? { kind: 'progress', repo: target, step: step.name, line: 1 + Math.floor(random() * step.lines) }
          : roll < 0.75
            ? { kind: 'command-done', repo: target, step: step.name }
            : roll < 0.92
              ? { kind: 'job-finished', repo: target }
              : { kind: 'queued' };
      moments.push(describeMoment(moment));
      const running = watch(dir);
      await running.waitForLog((line) => matches(moment, line));
      await kill9(running);
      countAdoptions(running);
    }

    // The last start: everything pushed must end deployed at its last SHA.
    const final = watch(dir);
    for (const repo of repos) {
      const sha = lastPushed.get(repo.name);
      if (!sha) continue;
      const deployed = (await storedRuns(dir)).some((run) =>
        run.jobs.some((job) => job.repository === repo.name && job.sha === sha && job.status === 'succeeded'),
      );
      if (deployed) continue;
      const start = await final.waitForLog(
        (line) =>
          line.repository === repo.name && line.sha === sha && String(line.msg).startsWith('deploying'),
      );
      await final.waitForLog(
        (line) => line.jobId === start.jobId && typeof line.status === 'string' && 'durationMs' in line,
      );
    }
    final.child.kill('SIGTERM');
    await final.child;
    countAdoptions(final);

    const runs = await storedRuns(dir);
    const jobs = runs.flatMap((run) => run.jobs);
    const logged = await commandLog(log);
    const lost = [...lastPushed].filter(
      ([repository, sha]) =>
        !jobs.some((job) => job.repository === repository && job.sha === sha && job.status === 'succeeded'),
    );
    const twice = [...logged.values()].filter((command) => command.dones > 1);
    const startedTwice = [...logged.values()].filter((command) => command.starts > 1);
    const inconsistent = jobs.filter((job) => {
      const repo = repos.find((r) => r.name === job.repository)!;
      const done = repo.steps.every((s) => (logged.get(`${job.id} ${s.name}`)?.dones ?? 0) > 0);
      const ran = repo.steps.some((s) => logged.has(`${job.id} ${s.name}`));
      if (job.status === 'succeeded') return !done;
      // A job without success did not complete its commands; a skipped one ran none of them.
      return done || job.status === 'queued' || job.status === 'running' || (ran && job.status === 'skipped');
    });
    const reruns = jobs.filter((job) => job.attempt > 1);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `kill -9 soak (seed ${SEED}, ${seconds} s): ${KILLS} kills at ${moments.join('; ')}\n` +
        `  lost heads: ${lost.length}; commands completed twice: ${twice.length}; commands started twice: ${startedTwice.length}; ` +
        `jobs inconsistent with the log: ${inconsistent.length}; jobs adopted: ${adopted}; jobs re-run (attempt > 1): ${reruns.length}; runs: ${runs.length}; jobs: ${jobs.length}`,
    );
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(startedTwice).toEqual([]);
    expect(inconsistent).toEqual([]);
  }, 600_000);
});
