import {
  type ActionStamp,
  type CancelOutcome,
  type DetectionInput,
  type DetectionPlan,
  type DetectionResult,
  type JobPatch,
  type PauseRecord,
  type PollFailure,
  type PollHealth,
  planCancel,
  planDetection,
  planPollFailure,
  planRecovery,
  type RecoveryPolicy,
  type RecoveryResult,
  type RepositoryHeads,
  type RunFilter,
  type RunPatch,
  type RunRecord,
  runQueryOf,
  type StateStore,
  stateClosedError,
  stateNotFoundError,
  type UnitKey,
} from '@sentry-git/core';
import {
  cancelPatchColumns,
  columnChanges,
  type HeadRow,
  headFromRow,
  headsByRepository,
  JOB_PATCH_COLUMNS,
  type JobRow,
  jobPatchColumns,
  jobToRow,
  type PauseRow,
  type PollFailureRow,
  pauseFromRow,
  pauseToRow,
  pollHealthFromRow,
  RUN_CANCEL_COLUMNS,
  RUN_PATCH_COLUMNS,
  RUN_UPDATE_COLUMNS,
  type RunRow,
  runFromRows,
  runsWithJobs,
  runToRow,
} from '@sentry-git/core/internal';
import type Database from 'better-sqlite3';
import { acquireFileLock } from './lock.js';
import { IN_MEMORY, openSqliteFile, type SqliteStateStoreOptions } from './open.js';
import { prepareStatements, type Statements } from './statements.js';
import { sqliteTransfer } from './transfer.js';

export type { SqliteStateStoreOptions } from './open.js';

/**
 * The durable state store: one SQLite file in WAL mode. Storage only: core's rules plan every
 * write that decides something, and each plan (a detection, a recovery, a poll failure) is read,
 * planned and written in one IMMEDIATE transaction, so a crash leaves either all of it or none.
 */
export function createSqliteStateStore(options: SqliteStateStoreOptions): StateStore {
  const { db, file } = openSqliteFile(options);
  return storeOn(db, file);
}

function storeOn(db: Database.Database, file: string): StateStore {
  const sql = prepareStatements(db);
  let closed = false;
  const locks = new Set<{ release(): void }>();

  function assertOpen(): void {
    if (closed) throw stateClosedError(`SQLite ${file}`);
  }

  function readRun(id: string): RunRecord | null {
    const row = sql.selectRun.get(id) as RunRow | undefined;
    return row ? runFromRows(row, sql.selectJobsOfRun.all(id) as JobRow[]) : null;
  }

  function readRuns(rows: RunRow[]): RunRecord[] {
    if (rows.length === 0) return [];
    return runsWithJobs(
      rows,
      sql.selectJobsOfRuns.all(JSON.stringify(rows.map((row) => row.id))) as JobRow[],
    );
  }

  function jobIdsInUse(ids: string[]): string[] {
    return (sql.selectJobIdsIn.all(JSON.stringify(ids)) as { id: string }[]).map((row) => row.id);
  }

  // IMMEDIATE (`.immediate`): take the write lock before reading what the plan builds on, so
  // no other connection changes it in between.
  const recordDetection = db.transaction((input: DetectionInput, now: string): DetectionResult => {
    const spec = input.run;
    const plan = planDetection(input, {
      queuedRuns: spec ? readRuns(sql.selectQueuedRunsOfUnit.all(spec.unit) as RunRow[]) : [],
      runIdInUse: spec !== undefined && sql.selectRun.get(spec.id) !== undefined,
      jobIdsInUse: spec ? jobIdsInUse(spec.jobs.map((job) => job.id)) : [],
      now,
    });
    writeDetection(sql, plan, now);
    return plan.result;
  });

  const recover = db.transaction((policy: RecoveryPolicy, now: string): RecoveryResult => {
    const plan = planRecovery(readRuns(sql.selectUnfinishedRuns.all() as RunRow[]), policy, now);
    for (const { id, patch } of plan.runs) patchRow('runs', RUN_UPDATE_COLUMNS, id, patch);
    for (const { id, patch } of plan.jobs) patchRow('jobs', JOB_PATCH_COLUMNS, id, jobPatchColumns(patch));
    return plan.result;
  });

  // The run as read inside the transaction decides (core's planCancel), so a run that starts or
  // ends meanwhile is never cancelled as queued, and a second request never replaces the first.
  const cancelRun = db.transaction(
    (id: string, request: ActionStamp): { run: RunRecord; outcome: CancelOutcome } | null => {
      const run = readRun(id);
      if (!run) return null;
      const plan = planCancel(run, request);
      if (plan.run) patchRow('runs', RUN_CANCEL_COLUMNS, id, cancelPatchColumns(plan.run));
      for (const { id: jobId, patch } of plan.jobs) patchRow('jobs', JOB_PATCH_COLUMNS, jobId, patch);
      return { run: readRun(id)!, outcome: plan.outcome };
    },
  );

  const recordPollFailure = db.transaction((repository: string, failure: PollFailure): PollHealth => {
    const previous = pollHealthFromRow(sql.selectPollFailures.get(repository) as PollFailureRow | undefined);
    const next = planPollFailure(previous, failure);
    sql.upsertPollFailures.run({ repository, ...next });
    return next;
  });

  function patchRow(
    table: 'runs' | 'jobs',
    columns: Record<string, string>,
    id: string,
    patch: object,
  ): void {
    const values: Record<string, unknown> = { id };
    const sets: string[] = [];
    for (const { field, column, value } of columnChanges(columns, patch)) {
      sets.push(`${column} = @${field}`);
      values[field] = value;
    }
    const found =
      sets.length === 0
        ? db.prepare(`SELECT 1 FROM ${table} WHERE id = @id`).get(values) !== undefined
        : db.prepare(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = @id`).run(values).changes > 0;
    if (!found) throw stateNotFoundError(table === 'runs' ? 'run' : 'job', id);
  }

  return {
    id: 'sqlite',
    capabilities: { durable: true },

    async getHeads(repository: string): Promise<RepositoryHeads> {
      assertOpen();
      const seen = sql.selectSeen.get(repository) !== undefined;
      const heads = (sql.selectHeads.all(repository) as HeadRow[]).map((row) => headFromRow(row, repository));
      return { seen, heads };
    },

    async getHeadsMany(repositories: readonly string[]): Promise<Map<string, RepositoryHeads>> {
      assertOpen();
      // Two statements for any number of repositories (one JSON array each), not two per repository.
      const names = JSON.stringify(repositories);
      const seen = new Set((sql.selectSeenMany.all(names) as Array<{ name: string }>).map((row) => row.name));
      return headsByRepository(repositories, seen, sql.selectHeadsMany.all(names) as HeadRow[]);
    },

    async recordDetection(input: DetectionInput): Promise<DetectionResult> {
      assertOpen();
      return recordDetection.immediate(input, new Date().toISOString());
    },

    async recordPollFailure(repository: string, failure: PollFailure): Promise<PollHealth> {
      assertOpen();
      return recordPollFailure.immediate(repository, failure);
    },

    async clearPollFailures(repository: string): Promise<void> {
      assertOpen();
      sql.clearPollFailures.run(repository);
    },

    async getPollHealth(repository: string): Promise<PollHealth> {
      assertOpen();
      return pollHealthFromRow(sql.selectPollFailures.get(repository) as PollFailureRow | undefined);
    },

    async updateRun(id: string, patch: RunPatch): Promise<void> {
      assertOpen();
      patchRow('runs', RUN_PATCH_COLUMNS, id, patch);
    },

    async markDeployed(repository: string, branch: string, sha: string): Promise<void> {
      assertOpen();
      sql.markDeployed.run(sha, repository, branch);
    },

    async updateJob(id: string, patch: JobPatch): Promise<void> {
      assertOpen();
      patchRow('jobs', JOB_PATCH_COLUMNS, id, jobPatchColumns(patch));
    },

    async getRun(id: string): Promise<RunRecord | null> {
      assertOpen();
      return readRun(id);
    },

    async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
      assertOpen();
      const query = runQueryOf(filter);
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
      if (query.statuses.length > 0) {
        where.push('status IN (SELECT value FROM json_each(@statuses))');
        params.statuses = JSON.stringify(query.statuses);
      }
      if (query.unit !== undefined) {
        where.push('unit = @unit');
        params.unit = query.unit;
      }
      if (query.trigger !== undefined) {
        where.push('trigger = @trigger');
        params.trigger = query.trigger;
      }
      if (query.since !== undefined) {
        // A range of runs_created.
        where.push('created_at >= @since');
        params.since = query.since;
      }
      if (query.repository !== undefined) {
        where.push(
          'EXISTS (SELECT 1 FROM jobs WHERE jobs.run_id = runs.id AND jobs.repository = @repository)',
        );
        params.repository = query.repository;
      }
      const rows = db
        .prepare(
          `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset`,
        )
        .all(params) as RunRow[];
      return readRuns(rows);
    },

    async nextQueuedRun(unit: UnitKey): Promise<RunRecord | null> {
      assertOpen();
      const [next] = readRuns(sql.selectNextQueuedRun.all(unit) as RunRow[]);
      return next ?? null;
    },

    async cancelRun(id: string, request: ActionStamp) {
      assertOpen();
      return cancelRun.immediate(id, request);
    },

    async setPause(unit: UnitKey, pause: ActionStamp | null): Promise<void> {
      assertOpen();
      if (pause) sql.upsertPause.run(pauseToRow(unit, pause));
      else sql.deletePause.run(unit);
    },

    async listPauses(): Promise<PauseRecord[]> {
      assertOpen();
      return (sql.selectPauses.all() as PauseRow[]).map(pauseFromRow);
    },

    async recoverInterrupted(options = {}): Promise<RecoveryResult> {
      assertOpen();
      return recover.immediate(options.policy ?? 'requeue', options.now ?? new Date().toISOString());
    },

    async acquireEngineLock(owner: string): Promise<() => Promise<void>> {
      assertOpen();
      // A :memory: database lives in this one store object: no other engine can reach it.
      const lock = file === IN_MEMORY ? { release() {} } : acquireFileLock(file, owner);
      locks.add(lock);
      return async () => {
        locks.delete(lock);
        lock.release();
      };
    },

    ...sqliteTransfer({ db, file, sql, assertOpen }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const lock of locks) lock.release();
      locks.clear();
      db.close();
    },
  };
}

/** Writes a detection plan, in the caller's transaction. */
function writeDetection(sql: Statements, plan: DetectionPlan, now: string): void {
  for (const repository of plan.seenRepositories) sql.insertRepository.run(repository, now);
  for (const write of plan.heads) {
    if (write.op === 'delete') sql.deleteHead.run(write.repository, write.branch);
    else sql.upsertHead.run({ ...write, deployedSha: write.deployedSha ?? null });
  }
  if (!plan.run) return;
  if (plan.run.create) sql.insertRun.run(runToRow(plan.run.create));
  for (const { jobId, sha } of plan.run.shaUpdates) sql.updateJobSha.run(sha, jobId);
  for (const job of plan.run.newJobs) sql.insertJob.run(jobToRow(job));
}
