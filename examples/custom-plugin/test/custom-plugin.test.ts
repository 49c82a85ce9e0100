import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The examples are not workspace packages: they use the builds (`pnpm build`), as the CLI does.
import { describeExecutor, makeJob } from '../../../packages/core/dist/testing.js';
import { hookExecutor } from '../plugin.mjs';

const here = path.resolve(__dirname, '..');
const bin = path.resolve(here, '../../packages/cli/bin/run.js');
const config = path.join(here, 'sentry.yaml');

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/**
 * A local HTTP server standing in for the deploy service and the chat webhook. `/deploy/ok`
 * answers 200, `/deploy/fail` 503, `/deploy/hang` never answers (until the server closes);
 * `/notify` records the notifier's summaries.
 */
async function startEndpoints(): Promise<{ base: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const url = request.url ?? '';
      received.push({ path: url, body: JSON.parse(text || '{}') });
      if (url === '/deploy/hang') return; // held open: the executor must abort it
      if (url === '/deploy/fail') response.writeHead(503).end('deploy service unavailable\nretry later\n');
      else if (url === '/deploy/ok' || url === '/notify') response.writeHead(200).end('ok\n');
      else response.writeHead(404).end('not found\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

function stopEndpoints(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

let endpoints: Awaited<ReturnType<typeof startEndpoints>>;
beforeAll(async () => {
  endpoints = await startEndpoints();
});
afterAll(() => stopEndpoints(endpoints.server));

describeExecutor({
  name: 'the hook executor of examples/custom-plugin (conformance)',
  executor: hookExecutor,
  jobs: {
    succeed: () =>
      makeJob({ deploy: { executor: 'hook', env: { DEPLOY_HOOK: `${endpoints.base}/deploy/ok` } } }),
    fail: () =>
      makeJob({ deploy: { executor: 'hook', env: { DEPLOY_HOOK: `${endpoints.base}/deploy/fail` } } }),
    hang: () =>
      makeJob({ deploy: { executor: 'hook', env: { DEPLOY_HOOK: `${endpoints.base}/deploy/hang` } } }),
  },
});

describe('the custom plugin loaded by `sentry-git watch --once`', () => {
  const gitEnv = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@sentry-git.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@sentry-git.invalid',
  };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      env: gitEnv,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  let dir: string;
  let work: string;
  const commit = (message: string): string => {
    git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');
    return git(work, 'rev-parse', 'HEAD');
  };
  const sentryGit = (args: string[], hook: string) =>
    execa('node', [bin, ...args, '-c', config], {
      reject: false,
      timeout: 60_000,
      env: {
        APP_REPO: path.join(dir, 'app.git'),
        STATE_PATH: path.join(dir, 'state.db'),
        DEPLOY_HOOK_URL: hook ? `${endpoints.base}${hook}` : '',
        NOTIFY_URL: `${endpoints.base}/notify`,
        SENTRY_GIT_LOG_FORMAT: 'json',
        NO_COLOR: '1',
      },
    });
  const since = (count: number) => endpoints.received.slice(count);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sentry-git-custom-plugin-'));
    work = path.join(dir, 'app-work');
    git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', path.join(dir, 'app.git'));
    git(dir, 'clone', '--quiet', path.join(dir, 'app.git'), work);
    git(work, 'checkout', '--quiet', '-B', 'main');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validation runs the plugin executor’s validate(): a missing hook URL is an error with its key', async () => {
    const result = await sentryGit(['validate'], '');
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/repositories\[0\]\.deploy\.env/);
    expect(result.stdout + result.stderr).toMatch(/hook executor needs env\.DEPLOY_HOOK/);
  });

  it('deploys a pushed commit through the executor and notifies through setup(); a failure is reported too', async () => {
    const first = commit('v1');
    let count = endpoints.received.length;
    const baseline = await sentryGit(['watch', '--once'], '/deploy/ok');
    expect(baseline.stderr).not.toMatch(/"level":50/);
    expect(baseline.exitCode).toBe(0);
    expect(since(count)).toEqual([]); // a baseline deploys nothing, so nothing is notified

    const second = commit('v2');
    count = endpoints.received.length;
    const deployed = await sentryGit(['watch', '--once'], '/deploy/ok');
    expect(deployed.stderr).not.toMatch(/"level":50/);
    expect(deployed.exitCode).toBe(0);
    const [deploy, notify, ...rest] = since(count);
    expect(rest).toEqual([]);
    // The executor's effect: the deploy service received the job.
    expect(deploy?.path).toBe('/deploy/ok');
    expect(deploy?.body).toMatchObject({
      repository: 'shop',
      branch: 'main',
      sha: second,
      previousSha: first,
      trigger: 'poll',
    });
    // The notifier's effect: the run's summary, delivered before the CLI exited (its teardown waits).
    expect(notify?.path).toBe('/notify');
    expect(notify?.body).toMatchObject({
      run: deploy?.body.run,
      unit: 'repository:shop',
      trigger: 'poll',
      status: 'succeeded',
      jobs: [{ repository: 'shop', branch: 'main', sha: second, status: 'succeeded' }],
    });
    // The executor's output reached the engine (and the log) through context.output.
    expect(deployed.stderr).toContain(`POST ${endpoints.base}/deploy/ok shop main ${second}`);

    // A refused deploy fails the job with the service's answer, and the notifier says so.
    const third = commit('v3');
    count = endpoints.received.length;
    const refused = await sentryGit(['watch', '--once'], '/deploy/fail');
    expect(refused.exitCode).toBe(1);
    const [failedDeploy, failedNotify] = since(count);
    expect(failedDeploy?.body).toMatchObject({ sha: third, previousSha: second });
    expect(failedNotify?.body).toMatchObject({
      status: 'failed',
      jobs: [{ repository: 'shop', sha: third, status: 'failed' }],
    });
    const runs = await sentryGit(['runs', '--json'], '/deploy/ok');
    expect(runs.exitCode).toBe(0);
    const [latest] = JSON.parse(runs.stdout) as Array<{ status: string; jobs: Array<{ error: string }> }>;
    expect(latest?.status).toBe('failed');
    expect(latest?.jobs[0]?.error).toBe('the deploy hook answered 503: deploy service unavailable');
  });
});

it('the demo script deploys the pushed commit and notifies the run', async () => {
  const result = await execa('node', [path.join(here, 'demo.mjs')], {
    reject: false,
    timeout: 120_000,
    env: { SENTRY_GIT_LOG_FORMAT: 'json', NO_COLOR: '1' },
  });
  expect(result.stderr).not.toMatch(/"level":50/);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/Deploy endpoint received [0-9a-f]{10} \(the pushed commit\)/);
  expect(result.stdout).toMatch(/Notify endpoint received repository:shop succeeded \(the deploy run\)/);
  expect(result.stdout).toMatch(/shop\s+main\s+[0-9a-f]{10}\s+succeeded\s+0/);
});
