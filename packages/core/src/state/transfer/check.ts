import { formatPath } from '../../config/expand.js';
import type { StateCounts, StateRecord } from '../../interfaces/state-transfer.js';
import type { ActionStamp, JobRecord } from '../../types.js';
import { countRecord, emptyStateCounts } from './counts.js';
import { invalidExportError } from './errors.js';
import { type FieldRule, JOB_FIELDS, RECORD_FIELDS, RECORD_TYPES, STAMP_FIELDS } from './fields.js';

/**
 * What an import accepts, decided in one place: the file reader (with line numbers) and every
 * store's `importState` (with record numbers) check records with it, so every store refuses the
 * same input the same way, before its transaction commits.
 */
export interface StateRecordChecker {
  /**
   * The record as a fresh object with its keys in export order, or `STATE_EXPORT_INVALID`
   * naming `where` (`line 7 of state.jsonl`), the key, the value and what was expected. Besides
   * each record's own keys it refuses what no store can hold twice: a repository, head, poll
   * health, pause of a unit, run id or job id seen before, and a job that names another run or repeats a position
   * or a repository branch of its run.
   */
  check(value: unknown, where: string): StateRecord;
  /** The records checked so far. */
  readonly counts: StateCounts;
}

type Fields = Readonly<Record<string, FieldRule>>;

export function createStateRecordChecker(): StateRecordChecker {
  const counts = emptyStateCounts();
  // What must be unique across the whole input, by kind.
  const repositories = new Set<string>();
  const heads = new Set<string>();
  const failing = new Set<string>();
  const paused = new Set<string>();
  const runIds = new Set<string>();
  const jobIds = new Set<string>();

  function fail(where: string, path: (string | number)[], value: unknown, expected: string): never {
    throw invalidExportError({ where, path: formatPath(path), value, expected });
  }

  function checkObject(value: unknown, fields: Fields, where: string, path: (string | number)[]) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      if (path.length === 0)
        throw invalidExportError({
          where,
          problem: `the record is ${JSON.stringify(value)}`,
          expected: 'a JSON object',
        });
      fail(where, path, value, 'a JSON object');
    }
    const given = value as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const [key, rule] of Object.entries(fields)) {
      if (!rule.test(given[key])) fail(where, [...path, key], given[key], rule.expected);
      copy[key] = given[key];
    }
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(fields, key))
        fail(
          where,
          [...path, key],
          given[key],
          `no such key: a ${describeKind(path, given)} has only ${Object.keys(fields).join(', ')}`,
        );
    }
    return copy;
  }

  function checkJobs(run: Record<string, unknown>, where: string): JobRecord[] {
    const positions = new Set<number>();
    const branches = new Set<string>();
    return (run.jobs as unknown[]).map((value, index) => {
      const job = checkObject(value, JOB_FIELDS, where, ['jobs', index]) as unknown as JobRecord;
      if (job.runId !== run.id)
        fail(where, ['jobs', index, 'runId'], job.runId, `${JSON.stringify(run.id)}, the id of its run`);
      if (!addOnce(jobIds, job.id)) fail(where, ['jobs', index, 'id'], job.id, `each job id ${ONCE}`);
      if (!addOnce(positions, job.position))
        fail(where, ['jobs', index, 'position'], job.position, 'each position once in a run');
      if (!addOnce(branches, JSON.stringify([job.repository, job.branch])))
        fail(
          where,
          ['jobs', index, 'branch'],
          job.branch,
          `one job per repository branch in a run (${job.repository} has two)`,
        );
      // Through JSON, as stores keep it: the caller's object stays theirs.
      return { ...job, handle: job.handle === null ? null : JSON.parse(JSON.stringify(job.handle)) };
    });
  }

  function check(value: unknown, where: string): StateRecord {
    const type = (value as { type?: unknown } | null)?.type;
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !RECORD_TYPES.includes(type as StateRecord['type'])
    )
      fail(where, ['type'], type, `one of ${RECORD_TYPES.map((t) => JSON.stringify(t)).join(', ')}`);
    const fields: Fields = RECORD_FIELDS[type as StateRecord['type']] ?? RECORD_FIELDS.repository;
    const at = `${where}${labelOf(value)}`;
    const record = checkObject(value, fields, at, []);
    if (record.type === 'repository') {
      if (!addOnce(repositories, record.name as string))
        fail(at, ['name'], record.name, `each repository ${ONCE}`);
    } else if (record.type === 'head') {
      if (!addOnce(heads, JSON.stringify([record.repository, record.branch])))
        fail(at, ['branch'], record.branch, `one head per repository branch (${record.repository} has two)`);
    } else if (record.type === 'pollHealth') {
      if (!addOnce(failing, record.repository as string))
        fail(at, ['repository'], record.repository, `one poll health record per repository ${ONCE}`);
    } else if (record.type === 'pause') {
      if (!addOnce(paused, record.unit as string))
        fail(at, ['unit'], record.unit, `one pause per unit ${ONCE}`);
    } else {
      if (!addOnce(runIds, record.id as string)) fail(at, ['id'], record.id, `each run id ${ONCE}`);
      if (record.cancelRequest !== null)
        // A fresh object with its keys in export order: the caller's object stays theirs.
        record.cancelRequest = checkObject(record.cancelRequest, STAMP_FIELDS, at, [
          'cancelRequest',
        ]) as unknown as ActionStamp;
      record.jobs = checkJobs(record, at);
    }
    const checked = record as unknown as StateRecord;
    countRecord(counts, checked);
    return checked;
  }

  return { check, counts };
}

const ONCE = 'once; an earlier record has it';

/** Adds `key` to `set`; false when it was there already. */
function addOnce<T>(set: Set<T>, key: T): boolean {
  if (set.has(key)) return false;
  set.add(key);
  return true;
}

/** `(run "run_1")`: which record a message is about, when it names itself well enough to say. */
function labelOf(value: unknown): string {
  const record = value as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null) return '';
  if (record.type === 'run' && typeof record.id === 'string') return ` (run ${JSON.stringify(record.id)})`;
  const repository = typeof record.repository === 'string' ? record.repository : undefined;
  if (record.type === 'head' && repository && typeof record.branch === 'string')
    return ` (head of ${repository} ${record.branch})`;
  if (record.type === 'pollHealth' && repository) return ` (poll health of ${repository})`;
  if (record.type === 'pause' && typeof record.unit === 'string') return ` (pause of ${record.unit})`;
  if (record.type === 'repository' && typeof record.name === 'string')
    return ` (repository ${JSON.stringify(record.name)})`;
  return '';
}

function describeKind(path: (string | number)[], record: Record<string, unknown>): string {
  if (path[0] === 'jobs') return 'job';
  if (path[0] === 'cancelRequest') return 'cancel request';
  return `${String(record.type)} record`;
}

/**
 * `records` checked one by one as a store imports them (`record 1`, `record 2`, … in errors);
 * returns the counts when they end. A store's `importState` writes what this yields, inside its
 * transaction, so a refused record leaves nothing written.
 */
export async function* checkStateRecords(
  records: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<StateRecord, StateCounts> {
  const checker = createStateRecordChecker();
  let index = 0;
  for await (const value of records) {
    index += 1;
    yield checker.check(value, `record ${index}`);
  }
  return { ...checker.counts };
}
