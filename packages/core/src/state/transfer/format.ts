import type { StateCounts, StateRecord } from '../../interfaces/state-transfer.js';
import { countRecord, emptyStateCounts } from './counts.js';
import { JOB_FIELDS, RECORD_FIELDS, STAMP_FIELDS } from './fields.js';

/*
 * The state export file: JSON Lines, so it streams (no store is read whole into memory, nor is
 * the file) and diffs line by line. A header line says what it is and which version of the
 * format; then one record a line (StateRecord); then an end line with the counts, so a file cut
 * short (an export that failed, a pipe that broke) is told from a complete one.
 *
 *   {"format":"sentry-git-state","version":2,"store":"sqlite","exportedAt":"2026-…"}
 *   {"type":"repository","name":"app","seenAt":"2026-…"}
 *   …
 *   {"type":"end","repositories":1,"heads":1,"pollHealth":0,"pauses":0,"runs":4,"jobs":4}
 */

/** The header's `format`: what tells a state export from any other JSON. */
export const STATE_EXPORT_FORMAT = 'sentry-git-state';

/**
 * The format version this sentry-git writes, and the newest it reads. Raise it when a reader of
 * the current version would misread a new file (a new key or record type), so that reader
 * refuses it (`STATE_EXPORT_TOO_NEW`) instead of dropping what it does not know; and teach
 * `upgradeRecord` (read.ts) to read the versions before it.
 *
 * 2: `pause` records (and `pauses` in the end line); runs carry `requestedBy` and `cancelRequest`.
 */
export const STATE_EXPORT_VERSION = 2;

export interface StateExportHeader {
  format: typeof STATE_EXPORT_FORMAT;
  version: number;
  /** The id of the store it was exported from (`sqlite`, `postgres`, …). */
  store: string;
  /** When the export began (ISO 8601). */
  exportedAt: string;
}

/** The last line: how many records of each kind the file holds. */
export interface StateExportEnd extends StateCounts {
  type: 'end';
}

/** `record` with its keys in the order of the format, so equal state writes equal lines. */
export function canonicalRecord(record: StateRecord): StateRecord {
  const ordered = pick(record, RECORD_FIELDS[record.type]);
  if (record.type === 'run') {
    if (record.cancelRequest) ordered.cancelRequest = pick(record.cancelRequest, STAMP_FIELDS);
    ordered.jobs = record.jobs.map((job) => pick(job, JOB_FIELDS));
  }
  return ordered as unknown as StateRecord;
}

function pick(from: object, fields: object): Record<string, unknown> {
  const source = from as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) ordered[key] = source[key];
  return ordered;
}

/**
 * The lines of an export of `records` (each ending in a newline): the header, one line per
 * record, the end line. Returns the counts when done.
 */
export async function* stateExportLines(
  records: AsyncIterable<StateRecord>,
  from: { store: string; exportedAt: string },
): AsyncGenerator<string, StateCounts> {
  const header: StateExportHeader = {
    format: STATE_EXPORT_FORMAT,
    version: STATE_EXPORT_VERSION,
    store: from.store,
    exportedAt: from.exportedAt,
  };
  yield `${JSON.stringify(header)}\n`;
  const counts = emptyStateCounts();
  for await (const record of records) {
    countRecord(counts, record);
    yield `${JSON.stringify(canonicalRecord(record))}\n`;
  }
  const end: StateExportEnd = { type: 'end', ...counts };
  yield `${JSON.stringify(end)}\n`;
  return counts;
}
