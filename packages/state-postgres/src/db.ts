import { isSentryError, type RunRecord, stateNotFoundError } from '@sentry-git/core';
import { columnChanges, type JobRow, type RunRow, runsWithJobs } from '@sentry-git/core/internal';
import type pg from 'pg';

/** Something that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * `work` in one transaction on a connection of the pool: committed when it resolves, rolled back
 * when it throws. A connection that failed for another reason than the rules' own refusals (a
 * SentryError) is dropped rather than pooled: it may be broken (a server restart, a dropped network).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The pool listens for errors only on idle connections: one the server ends between two
  // queries of this transaction (a restart, a failover) would otherwise emit 'error' with no
  // listener and end the process. Its next query fails instead, and the connection is dropped.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (!isSentryError(error)) broken = error as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

export async function readRuns(db: Queryable, rows: RunRow[]): Promise<RunRecord[]> {
  if (rows.length === 0) return [];
  const { rows: jobs } = await db.query<JobRow>(
    'SELECT * FROM jobs WHERE run_id = ANY($1) ORDER BY run_id, position',
    [rows.map((row) => row.id)],
  );
  return runsWithJobs(rows, jobs);
}

export async function patchRow(
  db: Queryable,
  table: 'runs' | 'jobs',
  columns: Record<string, string>,
  id: string,
  patch: object,
): Promise<void> {
  const values: unknown[] = [id];
  const sets: string[] = [];
  for (const { column, value } of columnChanges(columns, patch)) {
    // PostgreSQL text cannot hold NUL: such a character (binary output) becomes U+FFFD.
    values.push(typeof value === 'string' ? value.replaceAll('\0', '\uFFFD') : value);
    sets.push(`${column} = $${values.length}`);
  }
  const { rowCount } =
    sets.length === 0
      ? await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, values)
      : await db.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = $1`, values);
  if (!rowCount) throw stateNotFoundError(table === 'runs' ? 'run' : 'job', id);
}
