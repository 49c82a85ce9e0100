import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type GitFixture,
  gitdir,
  type PostgresCluster,
  startPostgres,
  tempdir,
} from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LongRunning, spawnCli } from './cli.js';

/**
 * Several `sentry-git watch` replicas on one PostgreSQL: real processes, real local bare
 * repositories (repo_type git), the shell executor. Every command appends
 * "<unit> <jobId> <repository> <sha> start|done <epoch ns>" to one log, so the end can check
 * from the commands' own timestamps that no two runs of a unit overlapped, that no job ran to its
 * end twice, and that every repository's last pushed head was deployed.
 * REPLICA_SOAK_SECONDS sets the soak's length; REPLICA_SOAK_SEED replays one sequence.
 */

const SOAK_MS = Number(process.env.REPLICA_SOAK_SECONDS ?? 300) * 1000;
const SEED = Number(process.env.REPLICA_SOAK_SEED ?? 20261207);
const LEASE = 3;

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

const STEP_SCRIPT = `printf '%s %s %s %s start %s\\n' "$UNIT" "$SENTRY_JOB_ID" "$SENTRY_REPO" "$SENTRY_COMMIT" "$(date +%s%N)" >> "$SOAK_LOG"
sleep "$STEP_SECONDS"
printf '%s %s %s %s done %s\\n' "$UNIT" "$SENTRY_JOB_ID" "$SENTRY_REPO" "$SENTRY_COMMIT" "$(date +%s%N)" >> "$SOAK_LOG"
`;

interface Repo {
  name: string;
  unit: string;
  fixture: GitFixture;
}

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

/** `count` repositories: groups of three (sequential), the rest standalone. */
async function repositories(count: number, grouped: number): Promise<Repo[]> {
  const repos: Repo[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `repo-${String(index).padStart(3, '0')}`;
    const unit = index < grouped ? `group:g${Math.floor(index / 3)}` : `repository:${name}`;
    repos.push({ name, unit, fixture: await gitdir({ branches: ['main'] }) });
  }
  return repos;
}

async function project(repos: Repo[], log: string, stepSeconds: number, database: string): Promise<string> {
  const dir = await tempdir();
  const script = path.join(dir, 'step.sh');
  await writeFile(script, STEP_SCRIPT);
  const groups = [...new Set(repos.filter((r) => r.unit.startsWith('group:')).map((r) => r.unit.slice(6)))];
  const entries = repos.map(
    (repo) => `  - name: ${repo.name}
${repo.unit.startsWith('group:') ? `    group: ${repo.unit.slice(6)}\n` : ''}    monitor: { repo_url: "${repo.fixture.bare}", branches: ["main"] }
    deploy:
      env: { SOAK_LOG: "${log}", UNIT: "${repo.unit}", STEP_SECONDS: "${stepSeconds}" }
      commands: ["sh ${script}"]
`,
  );
  await writeFile(
    path.join(dir, 'sentry.yaml'),
    `polling_interval: 2
global: { tmp_dir: ./jobs, shutdown_grace: 5, poll_concurrency: 8 }
state: { driver: postgres, url: "${cluster.url(database)}", lease: ${LEASE} }
server: { port: 0, host: 127.0.0.1 }
${groups.length > 0 ? `groups:\n${groups.map((g) => `  ${g}: { execution_strategy: sequential }`).join('\n')}\n` : ''}repositories:
${entries.join('')}`,
  );
  return dir;
}

function replica(dir: string, id: string): LongRunning {
  return spawnCli(['watch'], { cwd: dir, env: { SENTRY_GIT_REPLICA: id } });
}

async function urlOf(running: LongRunning): Promise<string> {
  const line = await running.waitForLog((entry) => typeof entry.url === 'string');
  return String(line.url);
}

interface Execution {
  unit: string;
  jobId: string;
  repository: string;
  sha: string;
  start: bigint;
  done: bigint | null;
}

async function executions(file: string): Promise<Execution[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const open = new Map<string, Execution[]>();
  const all: Execution[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const [unit = '', jobId = '', repository = '', sha = '', event, time = '0'] = line.split(' ');
    if (event === 'start') {
      const execution = { unit, jobId, repository, sha, start: BigInt(time), done: null };
      all.push(execution);
      open.set(jobId, [...(open.get(jobId) ?? []), execution]);
    } else {
      const started = open.get(jobId)?.find((execution) => execution.done === null);
      if (started) started.done = BigInt(time);
    }
  }
  return all;
}

/** Executions of one unit whose [start, done] intervals cross, as pairs of job ids. */
function overlaps(all: Execution[]): string[] {
  const found: string[] = [];
  const byUnit = new Map<string, Execution[]>();
  for (const execution of all) byUnit.set(execution.unit, [...(byUnit.get(execution.unit) ?? []), execution]);
  for (const [unit, list] of byUnit) {
    const sorted = [...list].sort((a, b) => (a.start < b.start ? -1 : 1));
    for (let index = 1; index < sorted.length; index += 1) {
      const before = sorted[index - 1]!;
      const after = sorted[index]!;
      if (before.done === null || before.done > after.start)
        found.push(`${unit}: ${before.jobId} (${before.sha.slice(0, 8)}) and ${after.jobId}`);
    }
  }
  return found;
}

async function sql(database: string, statement: string): Promise<string[]> {
  const out = await cluster.sql(statement, database);
  return out === '' ? [] : out.split('\n');
}

/** How many repositories the replicas have seen (0 before the first one created the tables). */
async function seen(database: string): Promise<number> {
  const [count] = await sql(database, 'SELECT count(*) FROM repositories').catch(() => ['0']);
  return Number(count);
}

/**
 * Resolves once the database says `check` holds. The state lives in PostgreSQL, written by other
 * processes: the test asks it again a quarter second after each answer (no fixed wait decides
 * the outcome; a check that never holds ends in the test's timeout, with its message).
 */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 250));
}

/** Fails at once, with its last words, when a replica has exited. */
function expectRunning(replicas: Iterable<LongRunning>): void {
  for (const running of replicas) {
    if (running.child.exitCode === null) continue;
    const last = running.logs.slice(-5).map((line) => JSON.stringify(line));
    throw new Error(
      `a replica exited with ${running.child.exitCode}:\n${last.join('\n')}\n${running.child.stderr}`.slice(
        0,
        5000,
      ),
    );
  }
}

/** The scenario's own rhythm (pushes every few seconds), not a wait for something. */
function pace(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('replicas on one PostgreSQL', () => {
  it(
    'kill -9 of a random replica every ~20 s: every last head deploys, no job ends twice, no unit overlaps, polls spread',
    async () => {
      const random = prng(SEED);
      const database = 'soak';
      await cluster.createDatabase(database);
      const repos = await repositories(200, 60);
      const logDir = await tempdir();
      const log = path.join(logDir, 'commands.log');
      const dir = await project(repos, log, 0.3, database);
      let generation = 0;
      const live: LongRunning[] = ['a', 'b', 'c'].map((name) => replica(dir, `${name}-${generation}`));
      // Every repository seen (its baseline recorded) before the first push.
      await until(async () => (await seen(database)) === 200);

      const lastPushed = new Map<string, string>();
      const started = Date.now();
      let nextKill = started + 20_000;
      let kills = 0;
      while (Date.now() - started < SOAK_MS) {
        for (const repo of repos)
          if (random() < 0.02) lastPushed.set(repo.name, await repo.fixture.commit('main'));
        if (Date.now() >= nextKill) {
          const victim = Math.floor(random() * live.length);
          live[victim]!.child.kill('SIGKILL');
          await live[victim]!.child;
          generation += 1;
          live[victim] = replica(dir, `${'abc'[victim]}-${generation}`);
          kills += 1;
          nextKill = Date.now() + 15_000 + random() * 10_000;
        }
        await pace(2_000);
      }
      expect(kills).toBeGreaterThanOrEqual(Math.floor(SOAK_MS / 25_000));

      // Quiet: every repository's last pushed head deployed.
      await until(async () => {
        const deployed = new Map(
          (await sql(database, "SELECT repository || ' ' || coalesce(deployed_sha, '') FROM heads")).map(
            (line) => line.split(' ') as [string, string],
          ),
        );
        return [...lastPushed].every(([name, sha]) => deployed.get(name) === sha);
      });

      const commands = await executions(log);
      expect(overlaps(commands)).toEqual([]);
      const ended = new Map<string, number>();
      for (const execution of commands)
        if (execution.done !== null) ended.set(execution.jobId, (ended.get(execution.jobId) ?? 0) + 1);
      expect([...ended].filter(([, count]) => count > 1)).toEqual([]);
      // Every recorded success matches a command that ran to its end.
      const succeeded = await sql(database, "SELECT id FROM jobs WHERE status = 'succeeded'");
      for (const id of succeeded) expect(ended.get(id), id).toBe(1);

      // Polls spread: each live replica holds its share of the leases.
      await until(async () => {
        const shares = await sql(
          database,
          'SELECT count(*) FROM poll_leases WHERE expires_at > now() GROUP BY replica',
        );
        return shares.length === 3 && shares.every((count) => Number(count) >= 60 && Number(count) <= 67);
      });
      for (const running of live) {
        expect(running.child.exitCode).toBeNull();
        expect(await fetch(`${await urlOf(running)}/readyz`).then((r) => r.status)).toBe(200);
      }
    },
    SOAK_MS + 240_000,
  );
});

describe('replicas and faults', () => {
  it('PostgreSQL down for 30 s: no replica exits, readiness is false meanwhile, pushes made then deploy after', async () => {
    const database = 'outage';
    await cluster.createDatabase(database);
    const repos = await repositories(12, 0);
    const log = path.join(await tempdir(), 'commands.log');
    const dir = await project(repos, log, 0.1, database);
    const live = ['a', 'b', 'c'].map((name) => replica(dir, name));
    const urls = await Promise.all(live.map(urlOf));
    await until(async () => (await seen(database)) === 12);
    const ready = async () => {
      expectRunning(live);
      return Promise.all(urls.map((url) => fetch(`${url}/readyz`).then((r) => r.status)));
    };
    await until(async () => (await ready()).every((status) => status === 200));

    const haltedAt = Date.now();
    await cluster.halt();
    const pushed = new Map<string, string>();
    try {
      await until(async () => (await ready()).every((status) => status === 503));
      for (const repo of repos.slice(0, 6)) pushed.set(repo.name, await repo.fixture.commit('main'));
      // The outage lasts 30 s from the halt, whatever the pushes took.
      await pace(30_000 - (Date.now() - haltedAt));
      expect(await ready()).toEqual([503, 503, 503]);
    } finally {
      await cluster.restart();
    }

    await until(async () => {
      const rows = await sql(database, "SELECT repository || ' ' || coalesce(deployed_sha, '') FROM heads");
      const deployed = new Map(rows.map((line) => line.split(' ') as [string, string]));
      return [...pushed].every(([name, sha]) => deployed.get(name) === sha);
    });
    await until(async () => (await ready()).every((status) => status === 200));
    for (const running of live) expect(running.child.exitCode).toBeNull();
    expect(overlaps(await executions(log))).toEqual([]);
  }, 180_000);

  it('a replica frozen past its lease records nothing over the replica that took its run', async () => {
    const database = 'freeze';
    await cluster.createDatabase(database);
    const repos = await repositories(3, 3);
    const log = path.join(await tempdir(), 'commands.log');
    const dir = await project(repos, log, 2, database);
    const live = new Map(['a', 'b'].map((name) => [name, replica(dir, name)]));
    await until(async () => (await seen(database)) === 3);

    const sha = await repos[0]!.fixture.commit('main');
    // The replica that claimed the group's run, once its command has started.
    let holder = '';
    await until(async () => {
      const [claimant = ''] = await sql(database, 'SELECT replica FROM run_claims WHERE replica IS NOT NULL');
      holder = claimant;
      return claimant !== '' && (await executions(log)).length === 1;
    });
    const frozen = live.get(holder)!;
    const other = holder === 'a' ? 'b' : 'a';
    expect(live.has(holder)).toBe(true);
    frozen.child.kill('SIGSTOP');
    // The other replica takes the run over (the lease lapsed: a second claim of the unit) and
    // records the job's result.
    await until(async () => {
      const [epoch = '0'] = await sql(database, 'SELECT epoch FROM run_claims');
      const [status = ''] = await sql(database, `SELECT status FROM jobs WHERE sha = '${sha}'`);
      return Number(epoch) >= 2 && status === 'succeeded';
    });
    expect(live.get(other)!.logs.some((line) => String(line.msg).includes('goes on with it'))).toBe(true);
    // Every line a replica logs names it, the engine's own too.
    const watching = await live.get(other)!.waitForLog((line) => String(line.msg).startsWith('watching'));
    expect(watching.replica).toBe(other);
    const recorded = await sql(
      database,
      `SELECT runs.status || ' ' || runs.attempts || ' ' || jobs.status || ' ' || coalesce(jobs.finished_at, '') FROM runs JOIN jobs ON jobs.run_id = runs.id WHERE jobs.sha = '${sha}'`,
    );
    frozen.child.kill('SIGCONT');
    await frozen.waitForLog((line) => String(line.msg).includes('lost its claim'));
    // Whatever the frozen replica would have recorded (its job's end, a cancellation) was refused.
    expect(
      await sql(
        database,
        `SELECT runs.status || ' ' || runs.attempts || ' ' || jobs.status || ' ' || coalesce(jobs.finished_at, '') FROM runs JOIN jobs ON jobs.run_id = runs.id WHERE jobs.sha = '${sha}'`,
      ),
    ).toEqual(recorded);
    expect(recorded[0]).toMatch(/^succeeded 1 succeeded /);
    // The command ran once: the replica that took over followed the frozen one's process to its end.
    expect((await executions(log)).map((execution) => execution.done !== null)).toEqual([true]);
  }, 120_000);
});
