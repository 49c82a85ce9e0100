// `node bench/floor/run.mjs gitlab|gitea [rounds]`: the CPU per request of the HTTP floor beside
// the provider's. Against fixed answers on loopback (answers.mjs, 20 ms latency, 32 requests in
// flight, as the bench's engine scenarios), blocks of 1,500 calls of each path in turn, so the
// machine's load falls on all of them alike; prints the least and the median block per path:
//   undici          pooled undici GETs with the provider's headers, JSON.parse of each body
//   undici+signal   the same with a fresh AbortSignal per request
//   provider        the built provider's listHeads (main, develop) under a 30 s poll deadline
// A Gitea listHeads sends two requests; its figure is per request. Needs `pnpm build`.
import { fork } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [kind = 'gitlab', roundsArg = '8'] = process.argv.slice(2);
if (kind !== 'gitlab' && kind !== 'gitea') throw new Error(`kind must be gitlab or gitea, not ${kind}`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (name, file = 'index.js') =>
  import(pathToFileURL(path.join(root, 'packages', name, 'dist', file)).href);
const { createRequire } = await import('node:module');
const { Agent } = createRequire(path.join(root, 'packages/core/package.json'))('undici');
const { deadlineSignal } = await load('core', 'internal.js');
const { bundleTestUtils } = await import('../lib/bundle.mjs');
const providers = await load(`provider-${kind}`);

// The answers are the fake forges' own rendering (answers.mjs), from the same bundle as the bench's.
const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'sentry-git-floor-'));
const bundle = await bundleTestUtils(root, path.join(bundleDir, 'test-utils.mjs'));
const server = fork(fileURLToPath(new URL('./answers.mjs', import.meta.url)), [kind, '20', bundle]);
const { port } = await new Promise((resolve) => server.once('message', resolve));
const origin = `http://127.0.0.1:${port}`;
const token = 'floor-token-0123456789abcdef';
const headers =
  kind === 'gitlab'
    ? { accept: 'application/json', 'private-token': token }
    : { accept: 'application/json', 'user-agent': 'sentry-git', authorization: `token ${token}` };
const requestPath =
  kind === 'gitlab'
    ? '/api/v4/projects/bench%2Frepo-00001/repository/branches?per_page=100&regex=%5E%28%3F%3Amain%7Cdevelop%29%24'
    : '/api/v1/repos/bench/repo-00001/branches/main';
const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
const provider = kind === 'gitlab' ? providers.createGitlabProvider() : providers.createGiteaProvider();
const patterns = ['main', 'develop'];
const targets = Array.from({ length: 1000 }, (_, index) => ({
  repository: `repo-${index}`,
  url: `https://forge.invalid/bench/repo-${String(index).padStart(5, '0')}.git`,
  type: kind,
  apiBaseUrl: `${origin}/api/${kind === 'gitlab' ? 'v4' : 'v1'}`,
  auth: { token },
  options: {},
}));
const stop = new AbortController();
// 32 polls in flight each hang a listener on it, as on the engine's stop signal.
setMaxListeners(0, stop.signal);

const paths = {
  undici: async () => {
    const answer = await agent.request({ origin, path: requestPath, method: 'GET', headers });
    JSON.parse(await answer.body.text());
  },
  'undici+signal': async () => {
    const { signal } = new AbortController();
    const answer = await agent.request({ origin, path: requestPath, method: 'GET', headers, signal });
    JSON.parse(await answer.body.text());
  },
  provider: async (index) => {
    const poll = deadlineSignal(stop.signal, 30_000);
    try {
      await provider.listHeads(targets[index % targets.length], {
        match: (branch) => patterns.includes(branch),
        patterns,
        signal: poll.signal,
        known: new Map(),
      });
    } finally {
      poll.dispose();
    }
  },
};
const requestsPerCall = { provider: kind === 'gitea' ? 2 : 1 };

async function block(call, count) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

const BLOCK = 1500;
for (const call of Object.values(paths)) await block(call, BLOCK);
const figures = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
for (let round = 0; round < Number(roundsArg); round += 1) {
  for (const [name, call] of Object.entries(paths)) {
    const before = process.cpuUsage();
    await block(call, BLOCK);
    const used = process.cpuUsage(before);
    figures[name].push((used.user + used.system) / 1000 / BLOCK / (requestsPerCall[name] ?? 1));
  }
}
for (const [name, values] of Object.entries(figures)) {
  values.sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)];
  console.log(
    `${kind} ${name.padEnd(14)} CPU ms per request: least ${values[0].toFixed(3)}, median ${median.toFixed(3)}`,
  );
}
server.kill();
rmSync(bundleDir, { recursive: true, force: true });
await agent.close();
process.exit(0);
