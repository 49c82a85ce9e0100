import {
  type ActionStamp,
  type PauseRecord,
  planCancel,
  type StateStore,
  type UnitKey,
} from '@sentry-git/core';
import {
  cancelPatchColumns,
  JOB_PATCH_COLUMNS,
  type PauseRow,
  pauseFromRow,
  pauseToRow,
  RUN_CANCEL_COLUMNS,
  type RunRow,
} from '@sentry-git/core/internal';
import type pg from 'pg';
import { inTransaction, patchRow, readRuns } from './db.js';

type Control = Pick<StateStore, 'cancelRun' | 'setPause' | 'listPauses'>;

/** The operator's controls on PostgreSQL: cancelling a run, pausing and resuming a unit. */
export function postgresControl(pool: pg.Pool, assertOpen: () => void): Control {
  return {
    async cancelRun(id: string, request: ActionStamp) {
      assertOpen();
      return inTransaction(pool, async (client) => {
        const { rows: found } = await client.query<{ unit: string }>('SELECT unit FROM runs WHERE id = $1', [
          id,
        ]);
        if (!found[0]) return null;
        // The unit's detections wait (they merge into its queued runs), and the row lock makes a
        // claim that starts the run meanwhile come first or after: core's planCancel decides on
        // the run as it is now.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `sentry-git:unit:${found[0].unit}`,
        ]);
        const { rows } = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [id]);
        const [run] = await readRuns(client, rows);
        if (!run) return null;
        const plan = planCancel(run, request);
        if (plan.run) await patchRow(client, 'runs', RUN_CANCEL_COLUMNS, id, cancelPatchColumns(plan.run));
        for (const { id: jobId, patch } of plan.jobs)
          await patchRow(client, 'jobs', JOB_PATCH_COLUMNS, jobId, patch);
        const { rows: stored } = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
        const [after] = await readRuns(client, stored);
        return { run: after!, outcome: plan.outcome };
      });
    },

    async setPause(unit: UnitKey, pause: ActionStamp | null): Promise<void> {
      assertOpen();
      if (!pause) {
        await pool.query('DELETE FROM pauses WHERE unit = $1', [unit]);
        return;
      }
      const row = pauseToRow(unit, pause);
      await pool.query(
        `INSERT INTO pauses (unit, paused_by, paused_at, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit) DO UPDATE SET paused_by = excluded.paused_by, paused_at = excluded.paused_at,
           reason = excluded.reason`,
        // PostgreSQL text cannot hold NUL: such a character becomes U+FFFD, as in patchRow.
        [row.unit, row.paused_by, row.paused_at, row.reason].map(withoutNul),
      );
    },

    async listPauses(): Promise<PauseRecord[]> {
      assertOpen();
      // Byte order, as the other stores sort.
      const { rows } = await pool.query<PauseRow>('SELECT * FROM pauses ORDER BY unit COLLATE "C"');
      return rows.map(pauseFromRow);
    },
  };
}

function withoutNul(value: string | null): string | null {
  return value === null ? null : value.replaceAll('\0', '\uFFFD');
}
