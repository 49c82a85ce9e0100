// Moving a store's state to another store: the records' checks, the export file's lines, and
// the errors an import raises. See docs/operations.md#moving-state-between-sqlite-and-postgresql.
export { checkStateRecords, createStateRecordChecker, type StateRecordChecker } from './check.js';
export { countRecord, describeStateCounts, emptyStateCounts, isEmptyState } from './counts.js';
export { exportTooNewError, invalidExportError, stateNotEmptyError } from './errors.js';
export {
  canonicalRecord,
  STATE_EXPORT_FORMAT,
  STATE_EXPORT_VERSION,
  type StateExportEnd,
  type StateExportHeader,
  stateExportLines,
} from './format.js';
export { type ReadStateExportOptions, readStateExport } from './read.js';
export {
  COUNT_STATE_SQL,
  type CountsRow,
  countsFromRow,
  headRecordFromRow,
  headRowOf,
  pauseRecordFromRow,
  pauseRowOf,
  pollFailureRowOf,
  pollHealthRecordFromRow,
  type RepositoryRow,
  repositoryRecordFromRow,
  STATE_TABLES,
} from './rows.js';
