import {
  type ClaimFence,
  type ClaimRunOptions,
  type Coordination,
  claimLostError,
  planRecovery,
  type RunClaim,
  type UnitKey,
} from '@sentry-git/core';
import {
  JOB_PATCH_COLUMNS,
  jobPatchColumns,
  RUN_UPDATE_COLUMNS,
  type RunRow,
} from '@sentry-git/core/internal';
import type pg from 'pg';
import { inTransaction, patchRow, type Queryable, readRuns } from './db.js';

/** Key of the transaction advisory lock that lets one replica balance the poll leases at a time. */
const BALANCE_LOCK = 'sentry-git:balance';

/**
 * `now()` plus the lease in milliseconds bound as parameter `$n`: on the server's clock, so the
 * replicas' own clocks never decide whether a lease lives.
 */
function leaseEnd(parameter: number): string {
  return `now() + make_interval(secs => $${parameter}::double precision / 1000)`;
}

/**
 * Core's Coordination on PostgreSQL: registrations and leases are rows whose `expires_at` the
 * server's clock sets and reads; a unit's claim is its `run_claims` row, taken under a row lock,
 * with an epoch that grows with each claim and fences the writes of the claim before. Balancing
 * the poll leases holds a transaction advisory lock, so replicas take their share one after
 * another and never fight over the same free repositories.
 */
export function postgresCoordination(pool: pg.Pool, assertOpen: () => void): Coordination {
  return {
    async heartbeat(replica, leaseMs) {
      assertOpen();
      return inTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO replicas (id, expires_at) VALUES ($1, ${leaseEnd(2)})
           ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
          [replica, leaseMs],
        );
        await client.query('DELETE FROM replicas WHERE expires_at <= now()');
        const { rows } = await client.query<{ id: string }>('SELECT id FROM replicas ORDER BY id');
        return rows.map((row) => row.id);
      });
    },

    async balancePolls(replica, repositories, share, leaseMs) {
      assertOpen();
      const names = [...repositories];
      return inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [BALANCE_LOCK]);
        // Repositories no longer configured here are not this replica's to poll.
        await client.query('DELETE FROM poll_leases WHERE replica = $1 AND NOT (repository = ANY($2))', [
          replica,
          names,
        ]);
        const renewed = await client.query<{ repository: string }>(
          `UPDATE poll_leases SET expires_at = ${leaseEnd(2)} WHERE replica = $1
           RETURNING repository`,
          [replica, leaseMs],
        );
        const held = renewed.rows.map((row) => row.repository).sort();
        if (held.length > share) {
          // Given back at once, so a replica that joined finds them free on its next balance.
          const extra = held.splice(share);
          await client.query('DELETE FROM poll_leases WHERE replica = $1 AND repository = ANY($2)', [
            replica,
            extra,
          ]);
        } else if (held.length < share) {
          const taken = await client.query<{ repository: string }>(
            `INSERT INTO poll_leases (repository, replica, expires_at)
             SELECT name, $1, ${leaseEnd(4)} FROM unnest($2::text[]) AS name
             WHERE NOT EXISTS (
               SELECT 1 FROM poll_leases lease WHERE lease.repository = name AND lease.expires_at > now()
             )
             ORDER BY name LIMIT $3
             ON CONFLICT (repository) DO UPDATE SET replica = excluded.replica, expires_at = excluded.expires_at
             RETURNING repository`,
            [replica, names, share - held.length, leaseMs],
          );
          held.push(...taken.rows.map((row) => row.repository));
        }
        return held.sort();
      });
    },

    async claimRun(unit, replica, options) {
      assertOpen();
      return inTransaction(pool, (client) => claimRun(client, unit, replica, options));
    },

    async renewClaim(fence, leaseMs) {
      assertOpen();
      const { rowCount } = await pool.query(
        `UPDATE run_claims SET expires_at = ${leaseEnd(4)} WHERE unit = $1 AND replica = $2 AND epoch = $3`,
        [fence.unit, fence.replica, fence.epoch, leaseMs],
      );
      return (rowCount ?? 0) > 0;
    },

    async releaseClaim(fence) {
      assertOpen();
      await pool.query(
        `UPDATE run_claims SET replica = NULL, run_id = NULL, expires_at = NULL
         WHERE unit = $1 AND replica = $2 AND epoch = $3`,
        [fence.unit, fence.replica, fence.epoch],
      );
    },

    async unclaimedUnits() {
      assertOpen();
      // A paused unit's queued runs wait for its resume; a run left running is still taken over.
      const { rows } = await pool.query<{ unit: UnitKey }>(
        `SELECT DISTINCT runs.unit FROM runs LEFT JOIN run_claims claim ON claim.unit = runs.unit
         WHERE (runs.status = 'running'
                OR (runs.status = 'queued' AND NOT EXISTS (SELECT 1 FROM pauses WHERE pauses.unit = runs.unit)))
           AND (claim.replica IS NULL OR claim.expires_at <= now())
         ORDER BY runs.unit`,
      );
      return rows.map((row) => row.unit);
    },

    async leave(replica) {
      assertOpen();
      await inTransaction(pool, async (client) => {
        await client.query('DELETE FROM poll_leases WHERE replica = $1', [replica]);
        await client.query('DELETE FROM replicas WHERE id = $1', [replica]);
      });
    },
  };
}

/** The claim of `unit` and its next run, in the caller's transaction (see Coordination.claimRun). */
async function claimRun(
  client: pg.PoolClient,
  unit: UnitKey,
  replica: string,
  options: ClaimRunOptions,
): Promise<RunClaim | null> {
  await client.query('INSERT INTO run_claims (unit) VALUES ($1) ON CONFLICT (unit) DO NOTHING', [unit]);
  const { rows: claims } = await client.query<{ replica: string | null; live: boolean }>(
    'SELECT replica, coalesce(expires_at > now(), false) AS live FROM run_claims WHERE unit = $1 FOR UPDATE',
    [unit],
  );
  const current = claims[0]!;
  if (current.replica !== null && current.replica !== replica && current.live) return null;
  // Runs left running: their claimant's claim lapsed (or it gave the unit back without ending them).
  const { rows: left } = await client.query<RunRow>(
    "SELECT * FROM runs WHERE unit = $1 AND status = 'running' ORDER BY created_at, seq FOR UPDATE",
    [unit],
  );
  const recovery = planRecovery(await readRuns(client, left), options.policy, options.now);
  for (const { id, patch } of recovery.runs) await patchRow(client, 'runs', RUN_UPDATE_COLUMNS, id, patch);
  for (const { id, patch } of recovery.jobs)
    await patchRow(client, 'jobs', JOB_PATCH_COLUMNS, id, jobPatchColumns(patch));
  // A paused unit starts no queued run; one a lapsed claim left running (queued again by the
  // recovery above) had started before, and goes on.
  const paused = ((await client.query('SELECT 1 FROM pauses WHERE unit = $1', [unit])).rowCount ?? 0) > 0;
  const { rows: next } = paused
    ? await client.query<RunRow>(
        `SELECT * FROM runs WHERE unit = $1 AND status = 'queued' AND id = ANY($2)
         ORDER BY created_at, seq LIMIT 1 FOR UPDATE`,
        [unit, recovery.result.requeued.map((run) => run.id)],
      )
    : await client.query<RunRow>(
        "SELECT * FROM runs WHERE unit = $1 AND status = 'queued' ORDER BY created_at, seq LIMIT 1 FOR UPDATE",
        [unit],
      );
  const row = next[0];
  if (!row) {
    await client.query(
      'UPDATE run_claims SET replica = NULL, run_id = NULL, expires_at = NULL WHERE unit = $1',
      [unit],
    );
    return null;
  }
  await client.query("UPDATE runs SET status = 'running', started_at = $2 WHERE id = $1", [
    row.id,
    options.now,
  ]);
  const { rows: claimed } = await client.query<{ epoch: number }>(
    `UPDATE run_claims SET replica = $2, epoch = epoch + 1, run_id = $3, expires_at = ${leaseEnd(4)}
     WHERE unit = $1 RETURNING epoch`,
    [unit, replica, row.id, options.leaseMs],
  );
  const { rows: stored } = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1', [row.id]);
  const [run] = await readRuns(client, stored);
  return {
    unit,
    replica,
    epoch: Number(claimed[0]!.epoch),
    run: run!,
    recovered: recovery.result.requeued.some((requeued) => requeued.id === row.id),
  };
}

/**
 * Checks, in the caller's transaction, that `fence` is still the unit's claim, and holds the
 * claim's row (FOR SHARE) until the transaction ends, so no replica takes the unit over between
 * the check and the write.
 */
export async function holdFence(db: Queryable, fence: ClaimFence, what: string): Promise<void> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM run_claims WHERE unit = $1 AND replica = $2 AND epoch = $3 FOR SHARE',
    [fence.unit, fence.replica, fence.epoch],
  );
  if (!rowCount) throw claimLostError(fence, what);
}
