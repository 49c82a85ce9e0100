import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import {
  type GitFixture,
  gitdir,
  type PostgresCluster,
  startPostgres,
  tempdir,
} from '@sentry-git/test-utils';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, spawnCli } from './cli.js';

/*
 * `sentry-git state export` / `state import` against real stores: a SQLite state made by the
 * engine (`watch --once` on local Git repositories: baselines, a group run with a failed job, a
 * repository whose polls fail), moved to a throw-away PostgreSQL cluster and back.
 */

// Trust authentication ignores the password; it is there to be kept out of every output.
const PASSWORD = 'pw-not-shown-5521';

let cluster: PostgresCluster;
let dir: string;
let remote: GitFixture;
let databases = 0;
/** Every stdout and stderr of the file's commands, checked for the password at the end. */
const outputs: string[] = [];

function databaseUrl(name: string): string {
  return `postgres://postgres:${PASSWORD}@/${name}?host=${encodeURIComponent(cluster.host)}&port=${cluster.port}`;
}

/** A new empty database, named by the variable the postgres config reads (SENTRY_TEST_DATABASE_URL). */
async function database(): Promise<Record<string, string>> {
  databases += 1;
  await cluster.createDatabase(`transfer_${databases}`);
  return { SENTRY_TEST_DATABASE_URL: databaseUrl(`transfer_${databases}`) };
}

interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
}

async function run(args: string[], options: RunOptions = {}) {
  const result = await cli(args, { ...options, cwd: options.cwd ?? dir });
  outputs.push(result.stdout, result.stderr);
  return result;
}

async function ok(args: string[], options: RunOptions = {}) {
  const result = await run(args, options);
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

/** An export's lines after its header (which names the store and the time). */
function body(exported: string): string[] {
  return exported.split('\n').slice(1);
}

const REPOSITORIES = (remoteUrl: string, broken: string) => `
groups:
  site: { execution_strategy: parallel }
repositories:
  - name: app
    group: site
    monitor: { repo_url: "${remoteUrl}", branches: [main, dev] }
    deploy: { commands: ["echo deployed app $SENTRY_COMMIT"] }
  - name: web
    group: site
    monitor: { repo_url: "${remoteUrl}", branches: [main] }
    deploy: { commands: ["echo failing web >&2", "exit 3"] }
  - name: broken
    monitor: { repo_url: "${broken}", branches: [main] }
    deploy: { commands: ["true"] }
`;

beforeAll(async () => {
  cluster = await startPostgres();
  remote = await gitdir({ branches: ['main', 'dev'] });
  dir = await tempdir();
  const repositories = REPOSITORIES(remote.bare, path.join(dir, 'missing.git'));
  await writeFile(path.join(dir, 'sqlite.yaml'), `global: { tmp_dir: ./jobs }\n${repositories}`);
  await writeFile(
    path.join(dir, 'postgres.yaml'),
    `global: { tmp_dir: ./jobs }\nstate: { driver: postgres, url: "\${SENTRY_TEST_DATABASE_URL}" }\n${repositories}`,
  );
  // Baselines (and a failed poll), then a group run whose web job fails, then a run of app alone
  // on dev; broken fails every poll.
  const watch = (expected: number) =>
    cli(['watch', '--once', '-c', 'sqlite.yaml'], { cwd: dir }).then((result) =>
      expect(result.exitCode, result.stderr).toBe(expected),
    );
  await watch(1);
  await remote.commit('main', { 'v2.txt': 'v2' });
  await watch(1);
  await remote.commit('dev', { 'dev.txt': 'dev' });
  await watch(1);
}, 120_000);

afterAll(() => cluster?.stop());

describe('state export and import', () => {
  it('moves a SQLite state to PostgreSQL and back, record for record', async () => {
    const sqlite = await ok(['state', 'export', '-c', 'sqlite.yaml']);
    expect(sqlite.stderr).toBe(
      `Exported 2 repositories, 3 heads, 1 failing repository, 2 runs with 3 jobs from sqlite ${dir}/.sentry-git/state.db.`,
    );
    const records = body(sqlite.stdout).map((line) => (line ? JSON.parse(line) : null));
    expect(
      records.filter((r) => r?.type === 'run').map((r) => r.jobs.map((j: { status: string }) => j.status)),
    ).toEqual([['succeeded', 'failed'], ['succeeded']]);
    expect(records.find((r) => r?.type === 'pollHealth')).toMatchObject({
      repository: 'broken',
      consecutiveFailures: 3,
    });

    const env = await database();
    const imported = await ok(['state', 'import', '-c', 'postgres.yaml'], { env, input: sqlite.stdout });
    expect(imported.stderr).toMatch(
      /^Imported 2 repositories, 3 heads, 1 failing repository, 2 runs with 3 jobs into postgres \(exported from sqlite at \d{4}-.*Z\)\.$/,
    );
    const postgres = await ok(['state', 'export', '-c', 'postgres.yaml'], { env });
    expect(body(postgres.stdout)).toEqual(body(sqlite.stdout));
    expect(JSON.parse(postgres.stdout.split('\n')[0]!)).toMatchObject({
      format: 'sentry-git-state',
      version: 2,
      store: 'postgres',
    });
    // The commands that read the state see the same in both stores.
    for (const command of [
      ['runs', '--json'],
      ['status', '--json'],
    ]) {
      const [fromSqlite, fromPostgres] = await Promise.all([
        ok([...command, '-c', 'sqlite.yaml']),
        ok([...command, '-c', 'postgres.yaml'], { env }),
      ]);
      expect(fromPostgres.stdout).toBe(fromSqlite.stdout);
    }

    // And back, into a new SQLite file.
    const back = path.join(dir, 'back.db');
    await ok(['state', 'import', '-c', 'sqlite.yaml', '--state-path', back], { input: postgres.stdout });
    const again = await ok(['state', 'export', '-c', 'sqlite.yaml', '--state-path', 'back.db']);
    expect(body(again.stdout)).toEqual(body(sqlite.stdout));
    // The engine goes on from the imported state: nothing moved, so nothing deploys.
    const watch = await run(['watch', '--once', '-c', 'postgres.yaml'], { env });
    expect(watch.stderr).toContain('1 of 3 repositories could not be polled');
    const after = await ok(['runs', '--json', '-c', 'postgres.yaml'], { env });
    expect(JSON.parse(after.stdout)).toHaveLength(2);
  });

  it('streams through a shell pipe, with the target named by flags and a URL read from the environment', async () => {
    const { SENTRY_TEST_DATABASE_URL: url } = await database();
    const script = `set -o pipefail; node ${BIN} state export -c sqlite.yaml | node ${BIN} state import -c sqlite.yaml --state-driver postgres --state-url '\${TARGET_URL}'`;
    const piped = await execa('bash', ['-c', script], {
      cwd: dir,
      env: { TARGET_URL: url!, NO_COLOR: '1' },
      reject: false,
    });
    outputs.push(piped.stdout, piped.stderr);
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stderr).toContain(
      'Imported 2 repositories, 3 heads, 1 failing repository, 2 runs with 3 jobs into postgres',
    );
    const [sqlite, postgres] = await Promise.all([
      ok(['state', 'export', '-c', 'sqlite.yaml']),
      ok(['state', 'export', '-c', 'postgres.yaml'], { env: { SENTRY_TEST_DATABASE_URL: url! } }),
    ]);
    expect(body(postgres.stdout)).toEqual(body(sqlite.stdout));
  });

  it('writes --out whole, readable by its owner only, and never over a file unless --force', async () => {
    const out = path.join(dir, 'state.jsonl');
    const first = await ok(['state', 'export', '-c', 'sqlite.yaml', '--out', 'state.jsonl']);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`from sqlite ${dir}/.sentry-git/state.db to ${out}.`);
    const { mode } = await import('node:fs/promises').then((fs) => fs.stat(out));
    expect(mode & 0o777).toBe(0o600);
    const again = await run(['state', 'export', '-c', 'sqlite.yaml', '--out', 'state.jsonl']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`Error [OUTPUT_EXISTS]: ${out} already exists; it was left unchanged.`);
    await ok(['state', 'export', '-c', 'sqlite.yaml', '--out', 'state.jsonl', '--force']);
    const env = await database();
    await ok(['state', 'import', '-c', 'postgres.yaml', '--in', 'state.jsonl'], { env });
  });

  it('refuses a store that holds state, unless --replace, which replaces it in one go', async () => {
    const exported = (await ok(['state', 'export', '-c', 'sqlite.yaml'])).stdout;
    const env = await database();
    await ok(['state', 'import', '-c', 'postgres.yaml'], { env, input: exported });
    // A different state: the first run only.
    const lines = exported.split('\n');
    const lastRun = lines.findLastIndex((line) => line.startsWith('{"type":"run"'));
    const smaller = [
      ...lines.slice(0, lastRun),
      ...lines.slice(lastRun + 1).map((line) => line.replace('"runs":2,"jobs":3', '"runs":1,"jobs":2')),
    ].join('\n');

    const refused = await run(['state', 'import', '-c', 'postgres.yaml'], { env, input: smaller });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error [STATE_NOT_EMPTY]: The PostgreSQL ');
    expect(refused.stderr).toContain(
      'state store already holds state (2 repositories, 3 heads, 1 failing repository, 2 runs with 3 jobs); an import would mix two histories, so nothing was imported. Fix: Import into an empty store (a new database or state file), or pass --replace',
    );
    expect(body((await ok(['state', 'export', '-c', 'postgres.yaml'], { env })).stdout)).toEqual(
      body(exported),
    );

    const replaced = await ok(['state', 'import', '-c', 'postgres.yaml', '--replace'], {
      env,
      input: smaller,
    });
    expect(replaced.stderr.split('\n')[0]).toBe(
      'Replaced 2 repositories, 3 heads, 1 failing repository, 2 runs with 3 jobs that postgres held.',
    );
    expect(body((await ok(['state', 'export', '-c', 'postgres.yaml'], { env })).stdout)).toEqual(
      body(smaller),
    );
  });

  it('refuses malformed input naming the line, the key, the value and what was expected, and writes nothing', async () => {
    const exported = (await ok(['state', 'export', '-c', 'sqlite.yaml'])).stdout;
    const lines = exported.split('\n');
    const runLine = lines.findIndex((line) => line.startsWith('{"type":"run"'));
    const record = JSON.parse(lines[runLine]!);
    record.jobs[1].status = 'exploded';
    const malformed = [...lines.slice(0, runLine), JSON.stringify(record), ...lines.slice(runLine + 1)].join(
      '\n',
    );
    const env = await database();

    const refused = await run(['state', 'import', '-c', 'postgres.yaml', '--replace'], {
      env,
      input: malformed,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      `Error [STATE_EXPORT_INVALID]: line ${runLine + 1} of stdin (run "${record.id}"): jobs[1].status is "exploded"; expected one of "queued", "running", "succeeded", "failed", "skipped", "timed_out", "cancelled". Nothing was imported. Fix: Import the file as \`sentry-git state export\` wrote it, or export the state again`,
    );
    const empty = await ok(['state', 'export', '-c', 'postgres.yaml'], { env });
    // (execa drops the last newline of stdout.)
    expect(body(empty.stdout)).toEqual([
      '{"type":"end","repositories":0,"heads":0,"pollHealth":0,"pauses":0,"runs":0,"jobs":0}',
    ]);

    // Cut short: every line whole, the end line missing.
    const cut = lines.slice(0, runLine + 1).join('\n');
    const truncated = await run(['state', 'import', '-c', 'postgres.yaml'], { env, input: cut });
    expect(truncated.exitCode).toBe(1);
    expect(truncated.stderr).toContain(
      `Error [STATE_EXPORT_INVALID]: stdin: it ends after line ${runLine + 1} without the end line; expected the {"type":"end",…} line an export writes last: this export was cut short. Nothing was imported.`,
    );

    const newer = exported.replace('"version":2', '"version":3');
    const tooNew = await run(['state', 'import', '-c', 'postgres.yaml', '--in', '-'], { env, input: newer });
    expect(tooNew.exitCode).toBe(1);
    expect(tooNew.stderr).toContain(
      'Error [STATE_EXPORT_TOO_NEW]: stdin is a state export of format version 3; this sentry-git reads version 2 and older. Nothing was imported. Fix: Import it with a sentry-git at least as new as the one that exported it',
    );
    expect(body((await ok(['state', 'export', '-c', 'postgres.yaml'], { env })).stdout)).toEqual(
      body(empty.stdout),
    );

    const missing = await run(['state', 'import', '-c', 'postgres.yaml', '--in', 'nothing-here.jsonl'], {
      env,
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(
      `Error [INPUT_UNREADABLE]: Cannot read ${dir}/nothing-here.jsonl: ENOENT`,
    );
  });

  it('refuses to import beside a running watch (SQLite: its engine lock; PostgreSQL: its replica), exports beside it', async () => {
    const exported = (await ok(['state', 'export', '-c', 'sqlite.yaml'])).stdout;
    const project = await tempdir();
    const env = await database();
    for (const [file, state] of [
      ['sqlite.yaml', ''],
      ['postgres.yaml', 'state: { driver: postgres, url: "${SENTRY_TEST_DATABASE_URL}" }'],
    ]) {
      await writeFile(
        path.join(project, file!),
        `polling_interval: 3600\n${state}\nrepositories:\n  - name: app\n    monitor: { repo_url: "${remote.bare}", branches: [main] }\n    deploy: { commands: ["true"] }\n`,
      );
      const watch = spawnCli(['watch', '--log-level', 'debug', '-c', file!], { cwd: project, env });
      await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('poll finished'));
      const pid = watch.child.pid!;
      const refused = await run(['state', 'import', '-c', file!, '--replace'], {
        cwd: project,
        env,
        input: exported,
      });
      expect(refused.exitCode, refused.stderr).toBe(1);
      if (file === 'sqlite.yaml') {
        expect(refused.stderr).toContain(
          'Error [ENGINE_LOCKED]: Another sentry-git process holds the engine lock of ',
        );
        expect(refused.stderr).toContain(`pid ${pid} (watch`);
        expect(refused.stderr).toContain(
          `  - An import replaces the state that engine works from: stop it first (kill ${pid}, SIGTERM`,
        );
      } else {
        // Replicas on PostgreSQL take no engine lock: the import finds the replica registered.
        expect(refused.stderr).toContain(
          'Error [ENGINE_LOCKED]: A sentry-git replica works on the PostgreSQL ',
        );
        expect(refused.stderr).toContain(`(${hostname()}-${pid}; registered until `);
        expect(refused.stderr).toContain('Fix: Stop every replica first');
      }
      // Nothing was imported, and an export reads beside the running watch.
      const beside = await ok(['state', 'export', '-c', file!], { env, cwd: project });
      expect(beside.stderr).toContain(
        'Exported 1 repository, 1 head, 0 failing repositories, 0 runs with 0 jobs',
      );
      // Stopped (gracefully: it gives its lock back, or leaves), the import goes through.
      watch.child.kill('SIGTERM');
      await watch.child;
      const imported = await ok(['state', 'import', '-c', file!, '--replace'], {
        cwd: project,
        env,
        input: exported,
      });
      expect(imported.stderr).toContain(
        'Replaced 1 repository, 1 head, 0 failing repositories, 0 runs with 0 jobs',
      );
    }
  });

  it('refuses a store that keeps nothing, and never prints the password of a URL', async () => {
    const memory = await run(['state', 'import', '-c', 'sqlite.yaml', '--state-driver', 'memory'], {
      input: '',
    });
    expect(memory.exitCode).toBe(1);
    expect(memory.stderr).toContain(
      'Error [STATE_TRANSFER_UNSUPPORTED]: The memory state store keeps nothing between commands: what this one imported would be gone when it exits.',
    );
    const unreachable = await run([
      'state',
      'export',
      '-c',
      'sqlite.yaml',
      '--state-driver',
      'postgres',
      '--state-url',
      `postgres://app:${PASSWORD}@127.0.0.1:1/app`,
    ]);
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toContain(
      'Error [STATE_OPEN_FAILED]: Could not open the PostgreSQL state store at postgres://app@127.0.0.1:1/app',
    );
    const unset = await run([
      'state',
      'export',
      '-c',
      'sqlite.yaml',
      '--state-driver',
      'postgres',
      '--state-url',
      '${NOT_SET_URL}',
    ]);
    expect(unset.stderr).toContain(
      'Error [STATE_OPTION_MISSING]: --state-url reads ${NOT_SET_URL}, which is not set.',
    );
    for (const output of outputs) expect(output).not.toContain(PASSWORD);
    expect(await readFile(path.join(dir, 'sqlite.yaml'), 'utf8')).not.toContain(PASSWORD);
  });
});
