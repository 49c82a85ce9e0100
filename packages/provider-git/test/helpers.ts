import { type ChildProcess, spawn } from 'node:child_process';
import { on, once } from 'node:events';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { RemoteFixture } from '@sentry-git/core/testing';
import { GIT_TEST_ENV, type GitFixture, gitdir, startGitHttpServer, tempdir } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { createGitProvider, type GitProviderOptions } from '../src/index.js';

export const REAL_GIT = '/usr/bin/git';

/** A provider isolated from the machine's git configuration (no credential helpers). */
export function testProvider(options: GitProviderOptions = {}) {
  return createGitProvider({ ...options, env: { ...GIT_TEST_ENV, ...options.env } });
}

import { fastImportBranches } from '@sentry-git/test-utils';

export { fastImportBranches };

/** A conformance fixture on a `gitdir()` repository reached at `url`. */
export function remoteFixture(
  repo: GitFixture,
  repository: string,
  url: string,
  cleanup?: () => Promise<void>,
): RemoteFixture {
  return {
    target: { repository, url, type: 'git' },
    commit: (branch) => repo.commit(branch),
    deleteBranch: (branch) => repo.deleteBranch(branch),
    commitMany: (branches) => fastImportBranches(repo.bare, branches),
    ...(cleanup ? { cleanup } : {}),
  };
}

/** A local bare repository as a remote, addressed by `url(bare)`. */
export async function localRemote(url: (bare: string) => string): Promise<RemoteFixture> {
  const repo = await gitdir();
  return remoteFixture(repo, 'local-demo', url(repo.bare));
}

/** A local bare repository served over smart HTTP by `git http-backend`. */
export async function httpRemote(auth?: { username?: string; token: string }): Promise<RemoteFixture> {
  const repo = await gitdir();
  const server = await startGitHttpServer({ root: path.dirname(repo.bare), ...(auth ? { auth } : {}) });
  return remoteFixture(repo, 'http-demo', `${server.url}/remote.git`, () => server.close());
}

/** A local bare repository served over git:// by `git daemon`. */
export async function daemonRemote(): Promise<RemoteFixture> {
  const repo = await gitdir();
  const daemon = await startGitDaemon(path.dirname(repo.bare));
  return remoteFixture(repo, 'daemon-demo', `${daemon.url}/remote.git`, () => daemon.close());
}

/**
 * A `git` that appends its arguments to a log, then runs the real git: proof of what the
 * provider put in argv. `exec` keeps the pid, so the provider's process-group kill still applies.
 */
export async function loggingGit(): Promise<{ binary: string; log: () => Promise<string> }> {
  const dir = await tempdir('sentry-git-wrapper-');
  const binary = path.join(dir, 'git');
  const logFile = path.join(dir, 'argv.log');
  // Logs the name of the configuration git received from the environment (never its value), so
  // tests can tell whether a header was configured at all.
  const script = [
    '#!/bin/sh',
    `printf '%s [config: %s]\\n' "$*" "\${GIT_CONFIG_KEY_0:-none}" >> '${logFile}'`,
    `exec ${REAL_GIT} "$@"`,
    '',
  ].join('\n');
  await writeFile(binary, script);
  await chmod(binary, 0o755);
  return { binary, log: () => readFile(logFile, 'utf8').catch(() => '') };
}

/** A TCP server that accepts connections and never says a word: the host that hangs. */
export async function silentServer(): Promise<{
  url: string;
  nextConnection(): Promise<{ closed: Promise<void> }>;
}> {
  const sockets = new Set<net.Socket>();
  const closed = new WeakMap<net.Socket, Promise<void>>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // Recorded at accept time, so a close that happens before the test looks is not missed.
    closed.set(socket, new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    // Reads and drops the request: a paused socket would never notice the client hanging up.
    socket.resume();
  });
  const connections = on(server, 'connection');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;

  /** Waits for the next connection; `closed` settles when that socket closes. */
  async function nextConnection(): Promise<{ closed: Promise<void> }> {
    const { value } = (await connections.next()) as IteratorResult<[net.Socket]>;
    return { closed: closed.get(value[0])! };
  }
  return { url: `http://127.0.0.1:${port}/hang.git`, nextConnection };
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `git daemon` serving `basePath` (everything exported) on 127.0.0.1, ready when it says so. */
export async function startGitDaemon(basePath: string): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    REAL_GIT,
    [
      'daemon',
      '--verbose',
      '--export-all',
      '--reuseaddr',
      '--informative-errors',
      `--base-path=${basePath}`,
      '--listen=127.0.0.1',
      `--port=${port}`,
      basePath,
    ],
    { env: { ...process.env, ...GIT_TEST_ENV }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let said = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('Ready to rumble')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`git daemon exited with ${code}: ${said}`)));
  });
  child.stderr?.resume();
  async function close(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    try {
      // The daemon forks one child per connection: end the whole group.
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    await exited;
  }
  return { url: `git://127.0.0.1:${port}`, close };
}
