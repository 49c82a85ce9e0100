import { hostname } from 'node:os';
import {
  admitChanges,
  type ClaimFence,
  type DetectionInput,
  type DetectionPlan,
  type DetectionResult,
  engineLockedError,
  type JobPatch,
  type PollFailure,
  type PollHealth,
  planDetection,
  planPollFailure,
  planRecovery,
  type RecoveryResult,
  type RepositoryHeads,
  type RunFilter,
  type RunPatch,
  type RunRecord,
  runQueryOf,
  SentryError,
  type StateStore,
  stateClosedError,
  type UnitKey,
} from '@sentry-git/core';
import {
  type HeadRow,
  headFromRow,
  headsByRepository,
  JOB_PATCH_COLUMNS,
  jobPatchColumns,
  jobToRow,
  type PollFailureRow,
  pollHealthFromRow,
  RUN_PATCH_COLUMNS,
  RUN_UPDATE_COLUMNS,
  type RunRow,
  runToRow,
} from '@sentry-git/core/internal';
import pg from 'pg';
import { postgresControl } from './control.js';
import { holdFence, postgresCoordination } from './coordination.js';
import { inTransaction, patchRow, type Queryable, readRuns } from './db.js';
import { migrate } from './migrations.js';
import { postgresNotices } from './notices.js';
import { type PostgresStateStoreOptions, resolveOptions } from './options.js';
import { postgresTransfer } from './transfer.js';

export type { PostgresStateStoreOptions } from './options.js';

/** BIGINT columns (a job's duration) as numbers, for this store's connections only. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Key of the session advisory lock that is the engine lock. */
const ENGINE_LOCK = 'sentry-git:engine';

/**
 * The durable state store on PostgreSQL. Storage only, as the SQLite store: core's rules plan
 * every write that decides something, and each plan is read, planned and written in one
 * transaction. What a plan builds on is locked first (a transaction advisory lock per unit, per
 * repository's poll health, or the unfinished runs' rows), so two connections cannot plan on the
 * same state.
 */
export async function createPostgresStateStore(options: PostgresStateStoreOptions): Promise<StateStore> {
  const resolved = resolveOptions(options);
  const pool = new pg.Pool({ connectionString: resolved.url, max: resolved.poolSize, types });
  // An idle connection that breaks (a server restart) is dropped by the pool; without a listener
  // its error would end the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migrate(client, resolved.where);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof SentryError) throw error;
    throw new SentryError(
      'STATE_OPEN_FAILED',
      `Could not open the PostgreSQL state store at ${resolved.where}: ${(error as Error).message}`,
      {
        fix: 'Check that the server is up, the URL (user, password, host, database) and that the user may create tables.',
        cause: error,
      },
    );
  }
  return storeOn(pool, resolved.url, resolved.where);
}

/** The stored heads of `repositories`, as `getHeadsMany` answers them. */
async function readHeads(
  db: Queryable,
  repositories: readonly string[],
): Promise<Map<string, RepositoryHeads>> {
  const names = [...repositories];
  const seen = await db.query<{ name: string }>('SELECT name FROM repositories WHERE name = ANY($1)', [
    names,
  ]);
  const heads = await db.query<HeadRow>(
    'SELECT * FROM heads WHERE repository = ANY($1) ORDER BY repository, branch',
    [names],
  );
  return headsByRepository(repositories, new Set(seen.rows.map((row) => row.name)), heads.rows);
}

/** Writes a detection plan, in the caller's transaction. */
async function writeDetection(db: Queryable, plan: DetectionPlan, now: string): Promise<void> {
  for (const repository of plan.seenRepositories) {
    await db.query('INSERT INTO repositories (name, seen_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      repository,
      now,
    ]);
  }
  for (const write of plan.heads) {
    if (write.op === 'delete') {
      await db.query('DELETE FROM heads WHERE repository = $1 AND branch = $2', [
        write.repository,
        write.branch,
      ]);
      continue;
    }
    // A null deployed_sha in the write means "keep the stored one" (null for a new head).
    await db.query(
      `INSERT INTO heads (repository, branch, sha, updated_at, deployed_sha) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (repository, branch) DO UPDATE SET sha = excluded.sha, updated_at = excluded.updated_at,
         deployed_sha = coalesce(excluded.deployed_sha, heads.deployed_sha)`,
      [write.repository, write.branch, write.sha, write.updatedAt, write.deployedSha ?? null],
    );
  }
  if (!plan.run) return;
  if (plan.run.create) {
    const run = runToRow(plan.run.create);
    await db.query(
      `INSERT INTO runs (id, unit, trigger, status, created_at, started_at, finished_at, error, attempts,
                         requested_by, cancel_request)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        run.id,
        run.unit,
        run.trigger,
        run.status,
        run.created_at,
        run.started_at,
        run.finished_at,
        run.error,
        run.attempts,
        run.requested_by,
        run.cancel_request,
      ],
    );
  }
  for (const { jobId, sha } of plan.run.shaUpdates) {
    await db.query('UPDATE jobs SET sha = $1 WHERE id = $2', [sha, jobId]);
  }
  for (const job of plan.run.newJobs) {
    const row = jobToRow(job);
    await db.query(
      `INSERT INTO jobs (id, run_id, position, repository, branch, sha, previous_sha, status, exit_code,
                         started_at, finished_at, duration_ms, output, error, attempt, handle)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        row.id,
        row.run_id,
        row.position,
        row.repository,
        row.branch,
        row.sha,
        row.previous_sha,
        row.status,
        row.exit_code,
        row.started_at,
        row.finished_at,
        row.duration_ms,
        row.output,
        row.error,
        row.attempt,
        row.handle,
      ],
    );
  }
}

function storeOn(pool: pg.Pool, url: string, where: string): StateStore {
  let closed = false;
  const locks = new Set<() => Promise<void>>();

  function assertOpen(): void {
    if (closed) throw stateClosedError(`PostgreSQL ${where}`);
  }
  const notices = postgresNotices(url, pool, assertOpen);

  /** A write of a claimed run: in one transaction with the check that the claim is still the fence's. */
  async function fenced(
    fence: ClaimFence | undefined,
    what: string,
    write: (db: Queryable) => Promise<unknown>,
  ): Promise<void> {
    if (!fence) {
      await write(pool);
      return;
    }
    await inTransaction(pool, async (client) => {
      await holdFence(client, fence, what);
      await write(client);
    });
  }

  return {
    id: 'postgres',
    capabilities: { durable: true },
    coordination: { ...postgresCoordination(pool, assertOpen), notices },

    async getHeads(repository: string): Promise<RepositoryHeads> {
      assertOpen();
      const [seen, heads] = await Promise.all([
        pool.query('SELECT 1 FROM repositories WHERE name = $1', [repository]),
        pool.query<HeadRow>('SELECT * FROM heads WHERE repository = $1 ORDER BY branch', [repository]),
      ]);
      return { seen: (seen.rowCount ?? 0) > 0, heads: heads.rows.map((row) => headFromRow(row, repository)) };
    },

    async getHeadsMany(repositories: readonly string[]): Promise<Map<string, RepositoryHeads>> {
      assertOpen();
      return readHeads(pool, repositories);
    },

    async recordDetection(input: DetectionInput): Promise<DetectionResult> {
      assertOpen();
      const now = new Date().toISOString();
      return inTransaction(pool, async (client) => {
        // One detection of a unit at a time (the queued runs it merges into stay as read), then
        // of each repository (another unit's manual trigger may name it): locks in one order.
        if (input.run)
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
            `sentry-git:unit:${input.run.unit}`,
          ]);
        const named = [
          ...new Set([...input.repositories, ...input.changes.map((change) => change.repository)]),
        ];
        await client.query(
          `SELECT pg_advisory_xact_lock(key) FROM (
             SELECT hashtext('sentry-git:repository:' || name) AS key FROM unnest($1::text[]) AS name ORDER BY 1
           ) AS locks`,
          [named],
        );
        // Several replicas record here: a change applies only to the head it was read from.
        const admitted = admitChanges(input, await readHeads(client, named));
        const spec = admitted.input.run;
        const queued = spec
          ? await client.query<RunRow>(
              "SELECT * FROM runs WHERE unit = $1 AND status = 'queued' ORDER BY created_at, seq",
              [spec.unit],
            )
          : undefined;
        const runIdInUse = spec
          ? ((await client.query('SELECT 1 FROM runs WHERE id = $1', [spec.id])).rowCount ?? 0) > 0
          : false;
        const jobIdsInUse = spec
          ? (
              await client.query<{ id: string }>('SELECT id FROM jobs WHERE id = ANY($1)', [
                spec.jobs.map((job) => job.id),
              ])
            ).rows.map((row) => row.id)
          : [];
        const plan = planDetection(admitted.input, {
          queuedRuns: queued ? await readRuns(client, queued.rows) : [],
          runIdInUse,
          jobIdsInUse,
          now,
        });
        await writeDetection(client, plan, now);
        return admitted.dropped ? { ...plan.result, dropped: admitted.dropped } : plan.result;
      });
    },

    async recordPollFailure(repository: string, failure: PollFailure): Promise<PollHealth> {
      assertOpen();
      return inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sentry-git:poll:${repository}`]);
        const { rows } = await client.query<PollFailureRow>(
          'SELECT * FROM poll_failures WHERE repository = $1',
          [repository],
        );
        const next = planPollFailure(pollHealthFromRow(rows[0]), failure);
        await client.query(
          `INSERT INTO poll_failures (repository, consecutive_failures, last_error, last_error_at, failing_since)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (repository) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
             last_error = excluded.last_error, last_error_at = excluded.last_error_at,
             failing_since = excluded.failing_since`,
          [repository, next.consecutiveFailures, next.lastError, next.lastErrorAt, next.failingSince],
        );
        return next;
      });
    },

    async clearPollFailures(repository: string): Promise<void> {
      assertOpen();
      await pool.query('DELETE FROM poll_failures WHERE repository = $1', [repository]);
    },

    async getPollHealth(repository: string): Promise<PollHealth> {
      assertOpen();
      const { rows } = await pool.query<PollFailureRow>('SELECT * FROM poll_failures WHERE repository = $1', [
        repository,
      ]);
      return pollHealthFromRow(rows[0]);
    },

    async updateRun(id: string, patch: RunPatch, fence?: ClaimFence): Promise<void> {
      assertOpen();
      await fenced(fence, `the update of run ${id}`, (db) =>
        patchRow(db, 'runs', RUN_PATCH_COLUMNS, id, patch),
      );
    },

    async markDeployed(repository: string, branch: string, sha: string, fence?: ClaimFence): Promise<void> {
      assertOpen();
      await fenced(fence, `the deploy of ${repository} ${branch} at ${sha}`, (db) =>
        db.query('UPDATE heads SET deployed_sha = $1 WHERE repository = $2 AND branch = $3', [
          sha,
          repository,
          branch,
        ]),
      );
    },

    async updateJob(id: string, patch: JobPatch, fence?: ClaimFence): Promise<void> {
      assertOpen();
      await fenced(fence, `the update of job ${id}`, (db) =>
        patchRow(db, 'jobs', JOB_PATCH_COLUMNS, id, jobPatchColumns(patch)),
      );
    },

    async getRun(id: string): Promise<RunRecord | null> {
      assertOpen();
      const { rows } = await pool.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
      const [run] = await readRuns(pool, rows);
      return run ?? null;
    },

    async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
      assertOpen();
      const query = runQueryOf(filter);
      const where: string[] = [];
      const values: unknown[] = [];
      const bind = (value: unknown) => {
        values.push(value);
        return `$${values.length}`;
      };
      if (query.statuses.length > 0) where.push(`status = ANY(${bind(query.statuses)})`);
      if (query.unit !== undefined) where.push(`unit = ${bind(query.unit)}`);
      if (query.trigger !== undefined) where.push(`trigger = ${bind(query.trigger)}`);
      // A range of runs_created.
      if (query.since !== undefined) where.push(`created_at >= ${bind(query.since)}`);
      if (query.repository !== undefined) {
        where.push(
          `EXISTS (SELECT 1 FROM jobs WHERE jobs.run_id = runs.id AND jobs.repository = ${bind(query.repository)})`,
        );
      }
      const { rows } = await pool.query<RunRow>(
        `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, seq DESC LIMIT ${bind(query.limit)} OFFSET ${bind(query.offset)}`,
        values,
      );
      return readRuns(pool, rows);
    },

    async nextQueuedRun(unit: UnitKey): Promise<RunRecord | null> {
      assertOpen();
      const { rows } = await pool.query<RunRow>(
        "SELECT * FROM runs WHERE unit = $1 AND status = 'queued' ORDER BY created_at, seq LIMIT 1",
        [unit],
      );
      const [next] = await readRuns(pool, rows);
      return next ?? null;
    },

    ...postgresControl(pool, assertOpen),

    async recoverInterrupted(options = {}): Promise<RecoveryResult> {
      assertOpen();
      const policy = options.policy ?? 'requeue';
      const now = options.now ?? new Date().toISOString();
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<RunRow>(
          "SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, seq FOR UPDATE",
        );
        const plan = planRecovery(await readRuns(client, rows), policy, now);
        for (const { id, patch } of plan.runs) await patchRow(client, 'runs', RUN_UPDATE_COLUMNS, id, patch);
        for (const { id, patch } of plan.jobs)
          await patchRow(client, 'jobs', JOB_PATCH_COLUMNS, id, jobPatchColumns(patch));
        return plan.result;
      });
    },

    async acquireEngineLock(owner: string): Promise<() => Promise<void>> {
      assertOpen();
      // A session advisory lock on a connection of its own: held while that connection lives, so a
      // holder that died (its connection closed) leaves it free for the next one.
      const client = await pool.connect();
      // The lock's connection sits idle for as long as the engine runs. If the server ends it (a
      // restart, a dropped network), the client emits 'error', which without a listener would end
      // the process; the lock is gone with the connection, and release() only returns it.
      let lost = false;
      const onLost = () => {
        lost = true;
      };
      client.on('error', onLost);
      try {
        const { rows } = await client.query<{ taken: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS taken',
          [ENGINE_LOCK],
        );
        if (!rows[0]?.taken) {
          const holder = await client.query<{
            pid: number;
            host: string;
            owner: string;
            acquired_at: string;
          }>('SELECT pid, host, owner, acquired_at FROM engine_lock WHERE id = 1');
          const row = holder.rows[0];
          throw engineLockedError({
            resource: `PostgreSQL ${where}`,
            holder: {
              pid: row?.pid ?? 0,
              owner: row ? `${row.owner} on ${row.host}` : '',
              since: row?.acquired_at ?? null,
              sameProcess: row !== undefined && row.pid === process.pid && row.host === hostname(),
            },
          });
        }
        await client.query(
          `INSERT INTO engine_lock (id, pid, host, owner, acquired_at) VALUES (1, $1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, owner = excluded.owner,
             acquired_at = excluded.acquired_at`,
          [process.pid, hostname(), owner, new Date().toISOString()],
        );
      } catch (error) {
        client.off('error', onLost);
        client.release(lost);
        throw error;
      }
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        locks.delete(release);
        try {
          if (!lost) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [ENGINE_LOCK]);
          client.off('error', onLost);
          client.release(lost);
        } catch (error) {
          // A broken connection has lost the lock anyway: drop it rather than pool it.
          client.off('error', onLost);
          client.release(error as Error);
        }
      };
      locks.add(release);
      return release;
    },

    ...postgresTransfer({ pool, where, assertOpen }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const release of [...locks]) await release();
      await notices.close();
      await pool.end();
    },
  };
}
