import type { StateCounts, StateRecord } from '../../interfaces/state-transfer.js';
import { createStateRecordChecker } from './check.js';
import { exportTooNewError, invalidExportError } from './errors.js';
import { STATE_EXPORT_FORMAT, STATE_EXPORT_VERSION, type StateExportHeader } from './format.js';

const COUNT_KEYS = [
  'repositories',
  'heads',
  'pollHealth',
  'pauses',
  'runs',
  'jobs',
] as const satisfies readonly (keyof StateCounts)[];

/** The end line's counts in version 1, before pauses were exported. */
const V1_COUNT_KEYS = COUNT_KEYS.filter((key) => key !== 'pauses');

const CUT_SHORT_FIX =
  'Export again and check that `sentry-git state export` exits 0 (in a pipe: `set -o pipefail`), and copy the whole file.';

export interface ReadStateExportOptions {
  /** Names the input in errors: a file path, or `stdin`. */
  source: string;
  /** Called with the header once it is read, before the first record. */
  onHeader?(header: StateExportHeader): void;
}

/**
 * The records of a state export, read line by line (`lines` without their newlines, as
 * `node:readline` gives them) and checked as they come: the header first (the format, and a
 * version this sentry-git reads), every record (`StateRecordChecker`), then the end line, whose
 * counts must match the records. Anything else throws `STATE_EXPORT_INVALID` (or
 * `STATE_EXPORT_TOO_NEW`) naming the line; a store importing what this yields writes nothing
 * then, as the error comes before its transaction commits. Returns the counts. Blank lines are
 * skipped. Records of an older version come out as this version's (`upgradeRecord`).
 */
export async function* readStateExport(
  lines: AsyncIterable<string>,
  options: ReadStateExportOptions,
): AsyncGenerator<StateRecord, StateCounts> {
  const { source } = options;
  const checker = createStateRecordChecker();
  let lineNumber = 0;
  let header: StateExportHeader | undefined;
  let endLine = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    const where = `line ${lineNumber} of ${source}`;
    if (endLine > 0)
      throw invalidExportError({
        where,
        problem: `a line follows the end line (line ${endLine})`,
        expected: 'the end line to be the last',
        fix: CUT_SHORT_FIX,
      });
    const value = parseLine(line, where);
    if (header === undefined) {
      header = checkHeader(value, where, source);
      options.onHeader?.(header);
      continue;
    }
    if ((value as { type?: unknown } | null)?.type === 'end') {
      checkEnd(value as Record<string, unknown>, checker.counts, where, header.version);
      endLine = lineNumber;
      continue;
    }
    yield checker.check(upgradeRecord(value, header.version, where), where);
  }
  if (header === undefined)
    throw invalidExportError({
      where: source,
      problem: 'it is empty',
      expected: `a state export, whose first line is {"format":"${STATE_EXPORT_FORMAT}","version":${STATE_EXPORT_VERSION},…}`,
      fix: 'Pass a file written by `sentry-git state export` (--in FILE), or pipe one in.',
    });
  if (endLine === 0)
    throw invalidExportError({
      where: source,
      problem: `it ends after line ${lineNumber} without the end line`,
      expected: 'the {"type":"end",…} line an export writes last: this export was cut short',
      fix: CUT_SHORT_FIX,
    });
  return { ...checker.counts };
}

function parseLine(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw invalidExportError({
      where,
      problem: `the line is not JSON (${(error as Error).message})`,
      expected: 'one JSON object per line',
    });
  }
}

function checkHeader(value: unknown, where: string, source: string): StateExportHeader {
  const header = value as Partial<StateExportHeader> | null;
  if (typeof header !== 'object' || header === null || header.format !== STATE_EXPORT_FORMAT)
    throw invalidExportError({
      where,
      path: 'format',
      value: header?.format,
      expected: `${JSON.stringify(STATE_EXPORT_FORMAT)}: the first line of a state export says what it is`,
      fix: 'Pass a file written by `sentry-git state export`; this input is not one.',
    });
  if (!Number.isSafeInteger(header.version) || (header.version as number) < 1)
    throw invalidExportError({
      where,
      path: 'version',
      value: header.version,
      expected: 'a whole number ≥ 1',
    });
  if ((header.version as number) > STATE_EXPORT_VERSION)
    throw exportTooNewError(source, header.version as number, STATE_EXPORT_VERSION);
  return header as StateExportHeader;
}

/**
 * A record of an export of `version` as this version writes it. Version 1 had no pauses, and its
 * runs no `requestedBy` and `cancelRequest`: nobody had asked for them or cancelled them (null).
 */
function upgradeRecord(value: unknown, version: number, where: string): unknown {
  if (version >= 2 || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (record.type === 'pause')
    throw invalidExportError({
      where,
      path: 'type',
      value: record.type,
      expected: 'no pause record in an export of version 1 (pauses are exported since version 2)',
    });
  if (record.type !== 'run') return value;
  return {
    ...record,
    requestedBy: Object.hasOwn(record, 'requestedBy') ? record.requestedBy : null,
    cancelRequest: Object.hasOwn(record, 'cancelRequest') ? record.cancelRequest : null,
  };
}

function checkEnd(end: Record<string, unknown>, counts: StateCounts, where: string, version: number): void {
  const keys: readonly (keyof StateCounts)[] = version >= 2 ? COUNT_KEYS : V1_COUNT_KEYS;
  for (const key of keys) {
    if (end[key] !== counts[key])
      throw invalidExportError({
        where,
        path: key,
        value: end[key],
        expected: `${counts[key]}, the ${key === 'pollHealth' ? 'poll health records' : key} the lines before it hold (a line was removed or added)`,
        fix: CUT_SHORT_FIX,
      });
  }
  for (const key of Object.keys(end)) {
    if (key !== 'type' && !(keys as readonly string[]).includes(key))
      throw invalidExportError({
        where,
        path: key,
        value: end[key],
        expected: `no such key: the end line has only type, ${keys.join(', ')}`,
      });
  }
}
