import type { StateRecord } from '../../interfaces/state-transfer.js';
import type { ActionStamp, JobRecord, JobStatus, RunStatus, TriggerKind } from '../../types.js';

/**
 * The keys of each state record and what each must hold. The order of the keys is the order an
 * export writes them in, so two stores holding the same state write the same bytes.
 */

/** What a key must hold; `expected` says it in an error message ("expected a whole number ≥ 0"). */
export interface FieldRule {
  expected: string;
  test(value: unknown): boolean;
}

const text: FieldRule = {
  expected: 'a non-empty string',
  test: (value) => typeof value === 'string' && value !== '',
};

const anyText: FieldRule = { expected: 'a string', test: (value) => typeof value === 'string' };

// What the stores write (`toISOString()`); their queue order compares these as text.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const time: FieldRule = {
  expected: 'an ISO 8601 time such as "2026-01-05T10:00:00.000Z"',
  test: (value) => typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)),
};

function orNull(rule: FieldRule): FieldRule {
  return { expected: `${rule.expected} or null`, test: (value) => value === null || rule.test(value) };
}

function wholeNumber(min: number): FieldRule {
  return {
    expected: `a whole number ≥ ${min}`,
    test: (value) => Number.isSafeInteger(value) && (value as number) >= min,
  };
}

const integer: FieldRule = { expected: 'a whole number', test: (value) => Number.isSafeInteger(value) };

function oneOf(values: readonly string[]): FieldRule {
  return {
    expected: `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`,
    test: (value) => typeof value === 'string' && values.includes(value),
  };
}

function literal(value: string): FieldRule {
  return { expected: JSON.stringify(value), test: (given) => given === value };
}

const unit: FieldRule = {
  expected: '"group:<name>" or "repository:<name>"',
  test: (value) => typeof value === 'string' && /^(?:group|repository):./s.test(value),
};

// An executor's JSON record of the work it started (JobHandle): an object naming its executor.
const handle: FieldRule = {
  expected: 'an object with an "executor" string',
  test: (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { executor?: unknown }).executor === 'string',
};

const jobs: FieldRule = { expected: 'an array of jobs', test: (value) => Array.isArray(value) };

// Its keys are checked one by one (STAMP_FIELDS), so an error names the one that is wrong.
const stamp: FieldRule = {
  expected: 'an object with "by", "at" and "reason"',
  test: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};

const TRIGGERS = [
  'poll',
  'manual',
  'webhook',
  'api',
  'rerun',
  'deploy',
] as const satisfies readonly TriggerKind[];
const RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
] as const satisfies readonly RunStatus[];
const JOB_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'timed_out',
  'cancelled',
] as const satisfies readonly JobStatus[];

/** The record types, each with its keys. */
export const RECORD_FIELDS = {
  repository: { type: literal('repository'), name: text, seenAt: time },
  head: {
    type: literal('head'),
    repository: text,
    branch: text,
    sha: text,
    deployedSha: orNull(text),
    updatedAt: time,
  },
  pollHealth: {
    type: literal('pollHealth'),
    repository: text,
    consecutiveFailures: wholeNumber(1),
    lastError: anyText,
    lastErrorAt: time,
    failingSince: time,
  },
  pause: { type: literal('pause'), unit, by: text, at: time, reason: orNull(anyText) },
  run: {
    type: literal('run'),
    id: text,
    unit,
    trigger: oneOf(TRIGGERS),
    status: oneOf(RUN_STATUSES),
    createdAt: time,
    startedAt: orNull(time),
    finishedAt: orNull(time),
    error: orNull(anyText),
    attempts: wholeNumber(0),
    requestedBy: orNull(text),
    cancelRequest: orNull(stamp),
    jobs,
  },
} as const satisfies {
  [T in StateRecord['type']]: Record<keyof Extract<StateRecord, { type: T }>, FieldRule>;
};

/** The keys of a job inside a run record. */
export const JOB_FIELDS = {
  id: text,
  runId: text,
  position: wholeNumber(0),
  repository: text,
  branch: text,
  sha: text,
  previousSha: orNull(text),
  status: oneOf(JOB_STATUSES),
  exitCode: orNull(integer),
  startedAt: orNull(time),
  finishedAt: orNull(time),
  durationMs: orNull(wholeNumber(0)),
  output: anyText,
  error: orNull(anyText),
  attempt: wholeNumber(0),
  handle: orNull(handle),
} as const satisfies Record<keyof JobRecord, FieldRule>;

/** The keys of a run's `cancelRequest` (who asked, when, why). */
export const STAMP_FIELDS = {
  by: text,
  at: time,
  reason: orNull(anyText),
} as const satisfies Record<keyof ActionStamp, FieldRule>;

export const RECORD_TYPES = Object.keys(RECORD_FIELDS) as StateRecord['type'][];
