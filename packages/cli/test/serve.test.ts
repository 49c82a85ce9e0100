import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli, type LongRunning, spawnCli } from './cli.js';

const TOKEN = 'api-token-for-tests-0001';

async function project(yaml: string): Promise<string> {
  const dir = await tempdir();
  await writeFile(path.join(dir, 'sentry.yaml'), yaml);
  return dir;
}

function config(url: string, commands: string[], extra = ''): string {
  return `polling_interval: 3600
global: { tmp_dir: ./jobs, shutdown_grace: 30 }
server: { host: 127.0.0.1, token: "\${API_TOKEN}" }
repositories:
  - name: app
    monitor: { repo_url: "${url}", branches: ["main"] }
    deploy:
      project_name: app
      commands: ${JSON.stringify(commands)}
${extra}`;
}

/** A port free right now (the OS picks it), for a config that must name its port. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function serverUrl(watch: LongRunning): Promise<string> {
  // The start line names the server's address once it listens.
  const line = await watch.waitForLog((entry) => typeof entry.url === 'string');
  return String(line.url);
}

describe('watch --port: the HTTP server beside the engine', () => {
  it('answers the probes, triggers a deploy with the bearer token only, and lists the run', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(
      config(remote.bare, ['echo "deployed $SENTRY_COMMIT ($SENTRY_TRIGGER)" >> "$CONFIG_DIR/deploys.log"']),
    );
    const env = { CONFIG_DIR: dir, API_TOKEN: TOKEN };
    const watch = spawnCli(['watch', '--port', '0', '--log-level', 'debug'], { cwd: dir, env });
    const url = await serverUrl(watch);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('poll finished'));
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status, await ready.clone().text()).toBe(200);

    const refused = await fetch(`${url}/api/v1/trigger`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(401);
    const wrong = await fetch(`${url}/api/v1/trigger`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);

    const accepted = await fetch(`${url}/api/v1/trigger`, {
      method: 'POST',
      body: JSON.stringify({ repositories: ['app'] }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    expect(accepted.status).toBe(202);
    const body = (await accepted.json()) as { runs: Array<{ id: string }> };
    const runId = body.runs[0]?.id;
    expect(runId).toMatch(/^run_/);
    await watch.waitForLog(
      (line) => line.runId === runId && typeof line.msg === 'string' && line.msg === `run ${runId} succeeded`,
    );

    // Reads need a token too once one is configured.
    expect((await fetch(`${url}/api/v1/runs`)).status).toBe(401);
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const listed = (await (await fetch(`${url}/api/v1/runs`, auth)).json()) as {
      runs: Array<{ id: string; trigger: string }>;
    };
    expect(listed.runs.map((run) => run.id)).toContain(runId);
    const one = (await (await fetch(`${url}/api/v1/runs/${runId}`, auth)).json()) as {
      jobs: Array<{ output: string }>;
    };
    expect(one.jobs[0]).toBeDefined();
    const metrics = await (await fetch(`${url}/metrics`, auth)).text();
    expect(metrics).toMatch(/sentry_git_runs_total\{[^}]*status="succeeded"[^}]*\} 1/);

    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir, env })).stdout) as Array<{
      id: string;
      trigger: string;
      status: string;
    }>;
    expect(runs.find((run) => run.id === runId)).toMatchObject({ trigger: 'api', status: 'succeeded' });
    expect(await readFile(path.join(dir, 'deploys.log'), 'utf8')).toMatch(
      /^deployed [0-9a-f]{40} \(api\)\n$/,
    );
    expect(`${watch.logs.map((line) => JSON.stringify(line)).join('\n')}`).not.toContain(TOKEN);

    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });

  it('`sentry-git trigger` beside a running watch is handed to its server and waits for the result', async () => {
    const port = await freePort();
    const remote = await gitdir({ branches: ['main', 'dev-x'] });
    const dir = await project(
      config(remote.bare, ['test "$SENTRY_TRIGGER" = api']).replace(
        'server: { host: 127.0.0.1,',
        `server: { host: 127.0.0.1, port: ${port},`,
      ),
    );
    const env = { API_TOKEN: TOKEN };
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir, env });
    expect(await serverUrl(watch)).toBe(`http://127.0.0.1:${port}`);

    const result = await cli(['trigger', 'app'], { cwd: dir, env });
    expect(result.stderr).toContain(`triggering through its server at http://127.0.0.1:${port}`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/app\s+main\s+\w{10}\s+succeeded/);
    const unknown = await cli(['trigger', 'nope'], { cwd: dir, env });
    expect(unknown.exitCode).toBe(1);
    // The server's own error, as the trigger says it without a watch.
    expect(unknown.stderr).toMatch(/UNKNOWN_REPOSITORY[\s\S]*nope/);
    const withoutToken = await cli(['trigger', 'app'], { cwd: dir, env: { API_TOKEN: 'wrong-token-123' } });
    expect(withoutToken.exitCode).toBe(1);
    expect(withoutToken.stderr).toMatch(/refused the trigger \(401/);

    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });

  it('SIGTERM during a deploy: stops accepting, lets the job finish within the grace period, exits 0', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project(
      config(remote.bare, [
        'echo started > "$CONFIG_DIR/started"',
        // Holds the deploy until the test has sent SIGTERM (a FIFO: no timer).
        'read -r go < "$CONFIG_DIR/gate"',
        'echo "deployed $SENTRY_COMMIT" >> "$CONFIG_DIR/deploys.log"',
      ]),
    );
    const gate = path.join(dir, 'gate');
    const { execa } = await import('execa');
    await execa('mkfifo', [gate]);
    const env = { CONFIG_DIR: dir, API_TOKEN: TOKEN };
    const watch = spawnCli(['watch', '--port', '0', '--log-level', 'debug'], { cwd: dir, env });
    const url = await serverUrl(watch);
    await fetch(`${url}/api/v1/trigger`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    await watch.waitForLog(
      (line) => typeof line.msg === 'string' && line.msg.startsWith('deploying app main'),
    );
    watch.child.kill('SIGTERM');
    await watch.waitForLog(
      (line) => typeof line.msg === 'string' && line.msg.startsWith('SIGTERM: stopping'),
    );
    // The server no longer accepts connections while the job finishes.
    // (A connection opened in the instant before the listener closes gets 503 SERVER_CLOSING.)
    const during = await fetch(`${url}/healthz`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(['refused', 503]).toContain(during);
    await writeFile(gate, 'go\n');
    const result = await watch.child;
    expect(result.exitCode).toBe(0);
    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir, env })).stdout) as Array<{
      status: string;
      jobs: Array<{ status: string }>;
    }>;
    expect(runs[0]).toMatchObject({ status: 'succeeded', jobs: [{ status: 'succeeded' }] });
  });
});
