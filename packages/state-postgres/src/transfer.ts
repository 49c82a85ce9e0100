import {
  checkStateRecords,
  type ImportStateOptions,
  type ImportStateResult,
  isEmptyState,
  SentryError,
  type StateRecord,
  type StateStore,
  stateNotEmptyError,
} from '@sentry-git/core';
import {
  COUNT_STATE_SQL,
  type CountsRow,
  countsFromRow,
  type HeadRow,
  headRecordFromRow,
  headRowOf,
  type JobRow,
  jobToRow,
  type PauseRow,
  type PollFailureRow,
  pauseRecordFromRow,
  pauseRowOf,
  pollFailureRowOf,
  pollHealthRecordFromRow,
  type RepositoryRow,
  type RunRow,
  repositoryRecordFromRow,
  runsWithJobs,
  runToRow,
  STATE_TABLES,
} from '@sentry-git/core/internal';
import type pg from 'pg';

/** Rows fetched per round trip while exporting: memory stays flat, whatever the size of the store. */
const PAGE_SIZE = 500;

/** An import writes once this many records wait, or once their outputs and errors reach FLUSH_BYTES. */
const FLUSH_RECORDS = 500;
const FLUSH_BYTES = 4 * 1024 * 1024;

export interface PostgresTransferInput {
  pool: pg.Pool;
  /** The URL without its password, for messages. */
  where: string;
  assertOpen(): void;
}

type Transfer = Required<Pick<StateStore, 'exportState' | 'importState'>>;

/** `exportState` and `importState` of the PostgreSQL store. */
export function postgresTransfer({ pool, where, assertOpen }: PostgresTransferInput): Transfer {
  return {
    async *exportState(): AsyncGenerator<StateRecord> {
      assertOpen();
      const client = await pool.connect();
      let open = false;
      try {
        // One snapshot for every page: REPEATABLE READ sees the database as of its first query,
        // whatever the engine commits while the caller iterates.
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        open = true;
        yield* readRecords(client);
        await client.query('COMMIT');
        open = false;
      } finally {
        // Stopped early (or failed): end the read before the connection goes back to the pool.
        const broken = open
          ? await client.query('ROLLBACK').then(
              () => undefined,
              (error: Error) => error,
            )
          : undefined;
        client.release(broken);
      }
    },

    async importState(
      records: AsyncIterable<StateRecord> | Iterable<StateRecord>,
      options: ImportStateOptions = {},
    ): Promise<ImportStateResult> {
      assertOpen();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Other writers wait until this commits, so nothing is written between the check for
        // state and the commit; readers (status, runs) go on.
        await client.query(`LOCK TABLE ${STATE_TABLES.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
        await assertNoReplicas(client, where);
        const held = countsFromRow((await client.query<CountsRow>(COUNT_STATE_SQL)).rows[0]!);
        const replaced = isEmptyState(held) ? null : held;
        if (replaced) {
          if (!options.replace) throw stateNotEmptyError(`PostgreSQL ${where}`, replaced);
          for (const table of STATE_TABLES) await client.query(`DELETE FROM ${table}`);
        }
        const imported = await writeAll(client, records);
        await client.query('COMMIT');
        return { imported, replaced };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/**
 * Replicas share this database without an engine lock (core's Coordination): an import would
 * replace the state they work from, so it is refused while any is registered. One that stopped
 * gracefully has left; one that died counts until its registration lapses (`state.lease`).
 */
async function assertNoReplicas(client: pg.PoolClient, where: string): Promise<void> {
  const { rows } = await client.query<{ id: string; expires_at: Date }>(
    'SELECT id, expires_at FROM replicas WHERE expires_at > now() ORDER BY id',
  );
  if (rows.length === 0) return;
  const ids = rows.map((row) => row.id);
  const until = new Date(Math.max(...rows.map((row) => row.expires_at.getTime()))).toISOString();
  throw new SentryError(
    'ENGINE_LOCKED',
    `${rows.length === 1 ? 'A sentry-git replica works' : `${rows.length} sentry-git replicas work`} on the PostgreSQL ${where} state store (${ids.join(', ')}; registered until ${until} unless renewed). An import replaces the state replicas work from, so nothing was imported.`,
    {
      fix: 'Stop every replica first (on Kubernetes: kubectl -n sentry-git scale deployment/sentry-git --replicas=0). A replica stopped gracefully leaves at once; one that died is forgotten state.lease seconds after its last renewal. Then import again.',
      details: { resource: `PostgreSQL ${where}`, replicas: ids, until },
    },
  );
}

/** Every record, in export order, a cursor per table (the text keys in byte order, as SQLite sorts them). */
async function* readRecords(client: pg.PoolClient): AsyncGenerator<StateRecord> {
  yield* cursor<RepositoryRow>(client, 'SELECT * FROM repositories ORDER BY name COLLATE "C"', async (rows) =>
    rows.map(repositoryRecordFromRow),
  );
  yield* cursor<HeadRow>(
    client,
    'SELECT * FROM heads ORDER BY repository COLLATE "C", branch COLLATE "C"',
    async (rows) => rows.map(headRecordFromRow),
  );
  yield* cursor<PollFailureRow>(
    client,
    'SELECT * FROM poll_failures ORDER BY repository COLLATE "C"',
    async (rows) => rows.map(pollHealthRecordFromRow),
  );
  yield* cursor<PauseRow>(client, 'SELECT * FROM pauses ORDER BY unit COLLATE "C"', async (rows) =>
    rows.map(pauseRecordFromRow),
  );
  yield* cursor<RunRow>(client, 'SELECT * FROM runs ORDER BY created_at COLLATE "C", seq', async (rows) => {
    const { rows: jobs } = await client.query<JobRow>(
      'SELECT * FROM jobs WHERE run_id = ANY($1) ORDER BY run_id, position',
      [rows.map((row) => row.id)],
    );
    return runsWithJobs(rows, jobs).map((run) => ({ type: 'run' as const, ...run }));
  });
}

/** `select` through a server-side cursor, PAGE_SIZE rows a round trip, turned into records. */
async function* cursor<Row extends pg.QueryResultRow>(
  client: pg.PoolClient,
  select: string,
  toRecords: (rows: Row[]) => Promise<StateRecord[]>,
): AsyncGenerator<StateRecord> {
  await client.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${select}`);
  for (;;) {
    const { rows } = await client.query<Row>(`FETCH ${PAGE_SIZE} FROM export_cursor`);
    if (rows.length > 0) yield* await toRecords(rows);
    if (rows.length < PAGE_SIZE) break;
  }
  await client.query('CLOSE export_cursor');
}

/** Checks and writes `records` in batches (a statement per table and batch), in the caller's transaction. */
async function writeAll(
  client: pg.PoolClient,
  records: AsyncIterable<StateRecord> | Iterable<StateRecord>,
): Promise<ImportStateResult['imported']> {
  let batch = newBatch();
  let size = 0;
  let count = 0;
  const checked = checkStateRecords(records);
  let next = await checked.next();
  let index = 0;
  for (; !next.done; next = await checked.next()) {
    const record = next.value;
    index += 1;
    assertNoNul(record, index);
    count += 1;
    if (record.type === 'repository') batch.repositories.push({ name: record.name, seen_at: record.seenAt });
    else if (record.type === 'head') batch.heads.push(headRowOf(record));
    else if (record.type === 'pollHealth') batch.pollFailures.push(pollFailureRowOf(record));
    else if (record.type === 'pause') batch.pauses.push(pauseRowOf(record));
    else {
      batch.runs.push(runToRow(record));
      for (const job of record.jobs) {
        batch.jobs.push(jobToRow(job));
        size += job.output.length + (job.error?.length ?? 0);
      }
    }
    if (count >= FLUSH_RECORDS || size >= FLUSH_BYTES) {
      await flush(client, batch);
      batch = newBatch();
      size = 0;
      count = 0;
    }
  }
  await flush(client, batch);
  return next.value;
}

/**
 * PostgreSQL text cannot hold U+0000, which SQLite keeps (a job's output may carry one): named
 * here, before the transaction commits, rather than as the server's "unsupported Unicode escape".
 */
function assertNoNul(record: StateRecord, index: number): void {
  if (!holdsNul(record)) return;
  const what = record.type === 'run' ? `run ${JSON.stringify(record.id)}` : record.type;
  throw new SentryError(
    'STATE_EXPORT_INVALID',
    `record ${index} (${what}) holds the character U+0000 (NUL, written \\u0000 in the export), which PostgreSQL cannot store in text. Nothing was imported.`,
    {
      fix: 'Remove the \\u0000 escapes from that line of the export (e.g. in a job output), or keep this state in SQLite.',
      details: { record: index },
    },
  );
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(holdsNul);
}

function newBatch() {
  return {
    repositories: [] as RepositoryRow[],
    heads: [] as HeadRow[],
    pollFailures: [] as PollFailureRow[],
    pauses: [] as PauseRow[],
    runs: [] as Omit<RunRow, 'seq'>[],
    jobs: [] as JobRow[],
  };
}

// One statement per table and batch: the rows travel as one JSON array, and
// json_populate_recordset turns it into rows of the table's own column types.
const INSERT = {
  repositories: ['name', 'seen_at'],
  heads: ['repository', 'branch', 'sha', 'updated_at', 'deployed_sha'],
  poll_failures: ['repository', 'consecutive_failures', 'last_error', 'last_error_at', 'failing_since'],
  pauses: ['unit', 'paused_by', 'paused_at', 'reason'],
  runs: [
    'id',
    'unit',
    'trigger',
    'status',
    'created_at',
    'started_at',
    'finished_at',
    'error',
    'attempts',
    'requested_by',
    'cancel_request',
  ],
  jobs: [
    'id',
    'run_id',
    'position',
    'repository',
    'branch',
    'sha',
    'previous_sha',
    'status',
    'exit_code',
    'started_at',
    'finished_at',
    'duration_ms',
    'output',
    'error',
    'attempt',
    'handle',
  ],
} as const;

async function insertRows(client: pg.PoolClient, table: keyof typeof INSERT, rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = INSERT[table].join(', ');
  // Runs take their seq (queue order after created_at) in the order they came.
  await client.query(
    `INSERT INTO ${table} (${columns}) SELECT ${columns}
     FROM json_populate_recordset(NULL::${table}, $1) WITH ORDINALITY ORDER BY ordinality`,
    [JSON.stringify(rows)],
  );
}

async function flush(client: pg.PoolClient, batch: ReturnType<typeof newBatch>): Promise<void> {
  await insertRows(client, 'repositories', batch.repositories);
  await insertRows(client, 'heads', batch.heads);
  await insertRows(client, 'poll_failures', batch.pollFailures);
  await insertRows(client, 'pauses', batch.pauses);
  await insertRows(client, 'runs', batch.runs);
  await insertRows(client, 'jobs', batch.jobs);
}
