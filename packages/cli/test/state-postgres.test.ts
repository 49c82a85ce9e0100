import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, type PostgresCluster, startPostgres, tempdir } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

describe('state.driver: postgres', () => {
  it('keeps heads and runs in PostgreSQL, read by status and runs, and never prints the password', async () => {
    await cluster.createDatabase('cli_state');
    // Trust authentication ignores the password; it is there to be kept out of every output.
    const url = `postgres://postgres:pw-not-shown-4821@/cli_state?host=${encodeURIComponent(cluster.host)}&port=${cluster.port}`;
    const remote = await gitdir({ branches: ['main'] });
    const dir = await tempdir();
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `polling_interval: 60
global: { tmp_dir: ./jobs }
state:
  driver: postgres
  url: \${SENTRY_TEST_DATABASE_URL}
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: [main] }
    deploy: { commands: ["echo deployed $SENTRY_COMMIT"] }
`,
    );
    const env = { SENTRY_TEST_DATABASE_URL: url };
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const result = await cli(args, { cwd: dir, env });
      outputs.push(result.stdout, result.stderr);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };

    // The first sighting records a baseline in PostgreSQL; a push then deploys.
    await run(['watch', '--once']);
    expect(await cluster.sql("SELECT sha FROM heads WHERE repository = 'app'", 'cli_state')).toBe(
      (await remote.heads()).get('main'),
    );
    const sha = await remote.commit('main', { 'app.txt': 'v2' });
    await run(['watch', '--once']);

    const runs = await run(['runs', '--json']);
    expect(JSON.parse(runs.stdout)[0].jobs[0]).toMatchObject({ sha, status: 'succeeded' });
    const status = await run(['status', '--json']);
    expect(JSON.parse(status.stdout)[0]).toMatchObject({ name: 'app', lastRun: { status: 'succeeded' } });
    for (const output of outputs) expect(output).not.toContain('pw-not-shown-4821');
  });

  it('says what is missing without state.url', async () => {
    const dir = await tempdir();
    const remote = await gitdir({ branches: ['main'] });
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `state: { driver: postgres }
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: [main] }
    deploy: { commands: ["true"] }
`,
    );
    const result = await cli(['watch', '--once'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('The PostgreSQL state store needs the `url` option.');
    expect(result.stderr).toContain('state.url');
  });
});
