import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { chooseHeapFlags, DAEMON_HEAP_FLAGS, DAEMON_WASM_FLAGS } from '../src/daemon-heap.js';
import { spawnCli } from './cli.js';

const plainNode = { execArgv: [], nodeOptions: undefined };

describe('chooseHeapFlags', () => {
  it('tunes the heap of a long-running watch', () => {
    expect(chooseHeapFlags(['watch', '-c', 'sentry.yaml', '--port', '0'], plainNode)).toEqual({
      flags: [...DAEMON_HEAP_FLAGS, ...DAEMON_WASM_FLAGS],
      reason: 'long-running watch',
    });
  });

  it('leaves short commands and watch --once with V8 defaults', () => {
    for (const argv of [['--version'], ['validate'], ['trigger', 'app'], ['watch', '--once'], []])
      expect(chooseHeapFlags(argv, plainNode)).toEqual({ flags: [], reason: 'not a long-running command' });
  });

  it('leaves a group of flags alone when the user set one of its kind (NODE_OPTIONS or node flags)', () => {
    for (const node of [
      { execArgv: [], nodeOptions: '--enable-source-maps --max-old-space-size=512' },
      { execArgv: ['--max_semi_space_size=8'], nodeOptions: undefined },
      { execArgv: [], nodeOptions: '--no-optimize-for-size' },
      { execArgv: ['--max-heap-size=300'], nodeOptions: '' },
    ])
      expect(chooseHeapFlags(['watch'], node)).toEqual({
        flags: DAEMON_WASM_FLAGS,
        reason: 'heap flags set by the user',
      });
    // A WebAssembly compiler choice of the user's is kept too; the heap is still sized.
    expect(
      chooseHeapFlags(['watch'], { execArgv: ['--no-liftoff-only'], nodeOptions: undefined }).flags,
    ).toEqual(DAEMON_HEAP_FLAGS);
    // Other flags are not heap sizes.
    expect(
      chooseHeapFlags(['watch'], { execArgv: ['--enable-source-maps'], nodeOptions: '--inspect' }).flags,
    ).toEqual([...DAEMON_HEAP_FLAGS, ...DAEMON_WASM_FLAGS]);
  });
});

/**
 * A child process with a small long-lived heap that allocates short-lived garbage, some of which
 * survives a scavenge or two (requests in flight): what watch does. It prints the largest sizes
 * V8 gave the young and the old generation along the way.
 */
const WORKLOAD = `
const v8 = require('node:v8');
if (process.env.HEAP_FLAGS) v8.setFlagsFromString(process.env.HEAP_FLAGS);
const largest = { young: 0, old: 0 };
function measure() {
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space') largest.young = Math.max(largest.young, space.space_size);
    if (space.space_name === 'old_space') largest.old = Math.max(largest.old, space.space_size);
  }
}
const live = Array.from({ length: 200000 }, (_, i) => ({ name: 'repository-' + i, heads: [i] }));
const inFlight = [];
for (let round = 0; round < 3000; round += 1) {
  const batch = Array.from({ length: 500 }, (_, i) => ({ url: 'https://forge/' + round + '/' + i, body: [round, i] }));
  inFlight.push(batch);
  if (inFlight.length > 20) inFlight.shift();
  if (round % 50 === 0) measure();
}
measure();
console.log(JSON.stringify({ ...largest, live: live.length }));
`;

function heapAfterWorkload(flags: readonly string[]): { young: number; old: number } {
  // Through the environment: an argument after the script would be read by node as its own flag.
  // Garbage collection on the main thread only: with V8's background GC threads, how large the
  // old generation grew depended on how busy the machine was (68 MB against 35 MB once, under a
  // loaded test suite), not on the flags compared. Both children run with it.
  const out = execFileSync(process.execPath, ['--single-threaded-gc', '-e', WORKLOAD], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', HEAP_FLAGS: flags.join(' ') },
  });
  return JSON.parse(out) as { young: number; old: number };
}

describe('DAEMON_HEAP_FLAGS, set at run time as bin/run.js sets them', () => {
  it('keep the young and the old generation smaller than V8 defaults for the same work', () => {
    const defaults = heapAfterWorkload([]);
    const tuned = heapAfterWorkload(DAEMON_HEAP_FLAGS);
    expect(tuned.young).toBeLessThan(defaults.young);
    expect(tuned.old).toBeLessThan(defaults.old);
  });
});

describe('sentry-git watch', () => {
  async function heapLine(env: Record<string, string>, extraArgs: string[] = []) {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await tempdir();
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `polling_interval: 3600
global: { tmp_dir: ./jobs }
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: [main] }
    deploy: { commands: ["true"] }
`,
    );
    const watch = spawnCli(['watch', '--log-level', 'debug', ...extraArgs], { cwd: dir, env });
    const line = await watch.waitForLog(
      (entry) => typeof entry.msg === 'string' && entry.msg.startsWith('heap settings'),
    );
    watch.child.kill('SIGTERM');
    await watch.child;
    return line;
  }

  it('runs with the daemon heap flags', async () => {
    const line = await heapLine({ NODE_OPTIONS: '' });
    expect(line).toMatchObject({
      v8Flags: [...DAEMON_HEAP_FLAGS, ...DAEMON_WASM_FLAGS],
      reason: 'long-running watch',
    });
  });

  it('keeps the heap size the user set in NODE_OPTIONS', async () => {
    const line = await heapLine({ NODE_OPTIONS: '--max-old-space-size=512' });
    expect(line).toMatchObject({ v8Flags: [...DAEMON_WASM_FLAGS], reason: 'heap flags set by the user' });
  });
});

/**
 * A child process sending 4,000 requests through an undici pool (the providers' HTTP client) to a
 * loopback server, printing how much its peak RSS grew after the first answer: where V8 compiles
 * undici's WebAssembly HTTP parser again once it is hot.
 */
const HTTP_WORKLOAD = `
const v8 = require('node:v8');
const http = require('node:http');
if (process.env.HEAP_FLAGS) v8.setFlagsFromString(process.env.HEAP_FLAGS);
const { Pool } = require(process.env.UNDICI);
const body = JSON.stringify({ name: 'main', commit: { id: 'a'.repeat(40), message: 'x'.repeat(200) } });
const server = http.createServer((q, r) => r.end(body)).listen(0, '127.0.0.1', async () => {
  const pool = new Pool('http://127.0.0.1:' + server.address().port, { connections: 8 });
  const get = async () => (await pool.request({ path: '/', method: 'GET' })).body.json();
  await get();
  const before = process.resourceUsage().maxRSS;
  for (let i = 0; i < 4000; i += 8) await Promise.all(Array.from({ length: 8 }, get));
  console.log(JSON.stringify({ grewKb: process.resourceUsage().maxRSS - before }));
  await pool.close();
  server.close();
});
`;

function peakGrowthOfRequests(flags: readonly string[]): number {
  // undici is core's dependency, not the CLI's: resolve it from there.
  const fromCore = createRequire(path.resolve(__dirname, '../../core/package.json'));
  const out = execFileSync(process.execPath, ['-e', HTTP_WORKLOAD], {
    encoding: 'utf8',
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      HEAP_FLAGS: flags.join(' '),
      UNDICI: fromCore.resolve('undici'),
    },
  });
  return (JSON.parse(out) as { grewKb: number }).grewKb;
}

describe('DAEMON_WASM_FLAGS', () => {
  it('spare the memory V8 spends optimising undici’s HTTP parser', () => {
    const defaults = peakGrowthOfRequests([]);
    const tuned = peakGrowthOfRequests(DAEMON_WASM_FLAGS);
    expect(tuned).toBeLessThan(defaults - 10 * 1024);
  });
});
