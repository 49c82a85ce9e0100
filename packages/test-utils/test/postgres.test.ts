import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgres } from '../src/postgres.js';
import { isProcessAlive } from '../src/process.js';

/** The postmaster's pid: the first line of its pid file. */
function serverPid(cluster: PostgresCluster): number {
  return Number(readFileSync(path.join(cluster.host, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('startPostgres: a throw-away cluster on a unix socket', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('answers SQL as the superuser', async () => {
    expect(await cluster.sql('select version()')).toMatch(/^PostgreSQL \d+/);
    expect(await cluster.sql('show fsync')).toBe('off');
  });

  it('creates databases that keep what is written to them', async () => {
    const url = await cluster.createDatabase('state "one"');
    expect(url).toBe(
      `postgres://postgres@/state%20%22one%22?host=${encodeURIComponent(cluster.host)}&port=5432`,
    );
    await cluster.sql('create table heads (repo text primary key, sha text not null)', 'state "one"');
    await cluster.sql("insert into heads values ('app', 'abc')", 'state "one"');
    expect(await cluster.sql('select repo || sha from heads', 'state "one"')).toBe('appabc');
    // The default database did not get the table.
    await expect(cluster.sql('select * from heads')).rejects.toThrow(/relation "heads" does not exist/);
  });

  it('runs beside another cluster: each has its own socket folder', async () => {
    const other = await startPostgres();
    try {
      expect(other.host).not.toBe(cluster.host);
      await other.sql('create table only_here (x int)');
      await expect(cluster.sql('select * from only_here')).rejects.toThrow(/does not exist/);
    } finally {
      await other.stop();
    }
  }, 60_000);
});

describe('PostgresCluster.stop', () => {
  it('ends the server and removes its folder', async () => {
    const cluster = await startPostgres();
    const pid = serverPid(cluster);
    expect(isProcessAlive(pid)).toBe(true);
    await cluster.stop();
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(cluster.host)).toBe(false);
  }, 60_000);
});

describe('startPostgres without PostgreSQL', () => {
  it('says how to install it', async () => {
    await expect(startPostgres({ bin: '/nonexistent/bin' })).rejects.toThrow(
      /PostgreSQL is not installed.*scripts\/setup\.sh/,
    );
  });
});
