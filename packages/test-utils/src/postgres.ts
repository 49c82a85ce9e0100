import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's `postgresql` package puts a server version's programs. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The user the server runs as when the tests run as root (initdb and postgres refuse root). */
const SERVER_USER = 'postgres';

/** A throw-away PostgreSQL cluster: its own data folder and socket, stopped and removed by `stop()`. */
export interface PostgresCluster {
  /** The folder of the cluster's unix socket: the `host` of a connection. */
  readonly host: string;
  readonly port: number;
  /** The superuser, trusted on the socket without a password. */
  readonly user: string;
  /** `postgres://user@/database?host=<socket folder>&port=<port>`, `postgres` unless named. */
  url(database?: string): string;
  /** Runs SQL with psql as the superuser and returns its output (unaligned, tuples only). */
  sql(statement: string, database?: string): Promise<string>;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** The server's log so far (for a failing test's message). */
  log(): Promise<string>;
  /**
   * Stops the server, keeping its data (an outage): every connection is cut, and nothing answers
   * on the socket until `restart()`.
   */
  halt(): Promise<void>;
  /** Starts the halted server again on the same data, socket and port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stops the server at once (no checkpoint: nothing here is kept) and removes its folder. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /**
   * Folder of initdb, pg_ctl and psql. By default `SENTRY_GIT_PG_BIN`, else the newest version
   * under /usr/lib/postgresql (Debian's `postgresql` package; `bash scripts/setup.sh` installs it).
   */
  bin?: string;
  /** Server settings (`-c name=value`) beside the test defaults (no fsync, small buffers). */
  settings?: Record<string, string | number>;
}

/** The newest Debian server version's bin folder, or undefined when none is installed. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.SENTRY_GIT_PG_BIN;
  if (fromEnv) return fromEnv;
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(DEBIAN_ROOT, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(DEBIAN_ROOT, versions[0], 'bin');
}

/** Runs a server program, as the server user when we are root. */
async function asServerUser(program: string, args: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', SERVER_USER, '--', program, ...args]] : [program, args];
  try {
    const { stdout } = await run(file, argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `${path.basename(program)} ${args.join(' ')} failed: ${(stderr || stdout || String(error)).trim()}`,
      { cause: error },
    );
  }
}

/** Ids of the server user, to hand it the data folder when we are root. */
async function serverUserIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(
    ['-u', '-g'].map(async (flag) => Number((await run('id', [flag, SERVER_USER])).stdout.trim())),
  );
  return { uid: uid!, gid: gid! };
}

/**
 * Starts a throw-away PostgreSQL cluster for a test: `initdb` in a new temp folder, the server
 * listening on a unix socket in that folder only (no TCP port, so clusters of parallel test files
 * never collide), trust authentication for the superuser, durability off. Call `stop()` when done
 * (an `afterAll`): a server whose test process died keeps running until its folder is removed.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const bin = options.bin ?? findPostgresBin();
  if (!bin || !existsSync(path.join(bin, 'initdb'))) {
    throw new Error(
      "PostgreSQL is not installed: no initdb under /usr/lib/postgresql/<version>/bin. Run `bash scripts/setup.sh` (it installs Debian's postgresql package as root), or set SENTRY_GIT_PG_BIN to the folder of initdb and pg_ctl.",
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentry-git-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const { uid, gid } = await serverUserIds();
    await chown(dir, uid, gid);
  }
  const port = 5432;
  const user = SERVER_USER;
  const settings: Record<string, string | number> = {
    listen_addresses: "''",
    unix_socket_directories: `'${dir}'`,
    port,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
    max_connections: 100,
    ...options.settings,
  };
  const flags = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  // -w: pg_ctl returns once the server accepts connections (it asks the server, no fixed wait).
  const start = () =>
    asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', flags, '-w', 'start']).then(
      () => undefined,
    );
  const cluster: PostgresCluster = {
    host: dir,
    port,
    user,
    url: (database = 'postgres') =>
      `postgres://${user}@/${encodeURIComponent(database)}?host=${encodeURIComponent(dir)}&port=${port}`,
    sql: (statement, database = 'postgres') =>
      asServerUser(path.join(bin, 'psql'), [
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        user,
        '-d',
        database,
        '-c',
        statement,
      ]).then((out) => out.trim()),
    async createDatabase(name) {
      await cluster.sql(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      return cluster.url(name);
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async halt() {
      await asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    restart: () => start(),
    async stop() {
      // A server is running while its pid file exists (also after a start that timed out).
      if (existsSync(path.join(data, 'postmaster.pid'))) {
        await asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
          () => undefined,
        );
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await asServerUser(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      user,
      '--auth=trust',
      '--encoding=UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    await start();
    return cluster;
  } catch (error) {
    const log = await cluster.log();
    await cluster.stop();
    throw log ? new Error(`${(error as Error).message}\nserver log:\n${log}`, { cause: error }) : error;
  }
}
