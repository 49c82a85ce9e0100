import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubProvider } from '../src/index.js';

/**
 * Real recorded GitHub traffic: @octokit/fixtures-server replays @octokit/fixtures scenarios
 * with nock, matching method, path, body and the recorded request headers (accept, content-type,
 * authorization, content-length) strictly. The `create-status` scenario records
 * `POST /repos/octokit-fixture-org/create-status/statuses/{sha}` twice — the endpoint of
 * setCommitStatus — so the provider's own octokit (base URL, auth header, media type, body) is
 * checked against what github.com really received.
 */
const require = createRequire(import.meta.url);
const SCENARIO = 'create-status';
// The token and SHA the fixtures were normalized to.
const FIXTURE_TOKEN = '0000000000000000000000000000000000000001';
const FIXTURE_SHA = '0000000000000000000000000000000000000001';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

let child: ChildProcess | undefined;
let origin = '';

beforeAll(async () => {
  const root = path.dirname(require.resolve('@octokit/fixtures-server/package.json'));
  const bin = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).bin[
    'octokit-fixtures-server'
  ];
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  child = spawn(
    process.execPath,
    [path.join(root, bin), `--port=${port}`, `--fixtures-url=${origin}`, '--log-level=error'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let said = '';
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes(`:${port}`)) resolve();
    });
    child!.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    child!.once('exit', (code) => reject(new Error(`fixtures server exited with ${code}: ${said}`)));
  });
});

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
});

async function loadScenario(scenario: string): Promise<string> {
  const response = await fetch(`${origin}/fixtures`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario }),
  });
  expect(response.status).toBe(201);
  const { url } = (await response.json()) as { url: string };
  return url;
}

describe('@octokit/fixtures-server: recorded github.com traffic', () => {
  it(`setCommitStatus matches the recorded ${SCENARIO} requests exactly`, async () => {
    const apiBaseUrl = await loadScenario(SCENARIO);
    expect(apiBaseUrl).toMatch(/\/api\.github\.com\/[a-z0-9]+$/);
    const provider = createGitHubProvider({ retries: 0 });
    const target = {
      repository: 'fixture-create-status',
      url: 'https://github.com/octokit-fixture-org/create-status',
      type: 'github',
      apiBaseUrl,
      auth: { token: FIXTURE_TOKEN },
    };
    const options = { signal: AbortSignal.timeout(30_000) };

    // A body the recording does not have is refused: the match really is strict.
    await expect(
      provider.setCommitStatus!(
        target,
        FIXTURE_SHA,
        {
          state: 'failure',
          targetUrl: 'https://example.com',
          description: 'not recorded',
          context: 'example/1',
        },
        options,
      ),
    ).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      message: expect.stringContaining('Nock: No match'),
    });

    await provider.setCommitStatus!(
      target,
      FIXTURE_SHA,
      {
        state: 'failure',
        targetUrl: 'https://example.com',
        description: 'create-status failure test',
        context: 'example/1',
      },
      options,
    );
    await provider.setCommitStatus!(
      target,
      FIXTURE_SHA,
      {
        state: 'success',
        targetUrl: 'https://example.com',
        description: 'create-status success test',
        context: 'example/2',
      },
      options,
    );

    // Both recorded POSTs were consumed: next in the recording is the GET of the statuses.
    const next = await fetch(
      `${apiBaseUrl}/repos/octokit-fixture-org/create-status/statuses/${FIXTURE_SHA}`,
      { method: 'POST', headers: { accept: 'application/vnd.github.v3+json' } },
    );
    expect(next.status).toBe(404);
    expect(((await next.json()) as { error: string }).error).toMatch(
      /does not match next fixture: GET .*\/statuses$/,
    );
  });
});
