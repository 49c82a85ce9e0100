/**
 * What one replica's events become on the store's notice channel, and back: a notice carries the
 * event's name, the replica and ids (the store holds the rest), plus the small fields the store
 * does not hold. Never a job's output.
 */
import type { SentryEvents, SharedEvent } from '../events.js';
import type { ReplicaNotice, SharedEventName } from '../interfaces/coordination.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { ChangeKind, JobOutcome, JobRecord, JobResult } from '../types.js';

/** The events a replica tells the others: what an operator watches, not polls or output. */
export const SHARED_EVENTS = [
  'change',
  'run:queued',
  'run:start',
  'job:start',
  'job:finish',
  'run:finish',
  'action',
] as const satisfies readonly SharedEventName[];

export function noticeOf<K extends SharedEventName>(
  name: K,
  payload: SentryEvents[K],
  replica: string,
): ReplicaNotice {
  const event = { event: name, replica };
  switch (name) {
    case 'change': {
      const { repository, branch, group, before, after, kind, skipped } = payload as SentryEvents['change'];
      const fields = { group, before, after, kind, ...(skipped === undefined ? {} : { skipped }) };
      return { ...event, repository, branch, fields };
    }
    case 'action': {
      const { action, by, at, target, reason, runs } = payload as SentryEvents['action'];
      return { ...event, fields: { action, by, at, target, reason, runs } };
    }
    case 'run:queued': {
      const { run, coalesced } = payload as SentryEvents['run:queued'];
      return { ...event, run: run.id, fields: { coalesced } };
    }
    case 'job:start':
    case 'job:finish': {
      const { run, job } = payload as SentryEvents['job:start'];
      return { ...event, run: run.id, job: job.id, repository: job.repository, branch: job.branch };
    }
    default:
      return { ...event, run: (payload as SentryEvents['run:start']).run.id };
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A finished job's result as its record keeps it (the output is the job log's business). */
function resultOf(job: JobRecord): JobResult {
  return {
    status: job.status as JobOutcome,
    exitCode: job.exitCode,
    startedAt: job.startedAt ?? '',
    finishedAt: job.finishedAt ?? '',
    durationMs: job.durationMs ?? 0,
    output: '',
    error: job.error,
  };
}

/**
 * The event a notice tells of, rebuilt: runs and jobs read from the store now (so a run that
 * moved on since shows its newer state), an action's or change's fields from the notice.
 * Undefined when the run or job is not in the store (anymore).
 */
export async function eventOf(notice: ReplicaNotice, store: StateStore): Promise<SharedEvent | undefined> {
  const { replica } = notice;
  const fields = notice.fields ?? {};
  if (notice.event === 'change') {
    const skipped = text(fields.skipped);
    const payload: SentryEvents['change'] = {
      repository: notice.repository ?? '',
      group: text(fields.group),
      branch: notice.branch ?? '',
      before: text(fields.before),
      after: text(fields.after),
      kind: fields.kind as ChangeKind,
      ...(skipped === null ? {} : { skipped }),
    };
    return { name: 'change', replica, payload };
  }
  if (notice.event === 'action') {
    const payload: SentryEvents['action'] = {
      action: fields.action as SentryEvents['action']['action'],
      by: text(fields.by) ?? '',
      at: text(fields.at) ?? '',
      target: text(fields.target) ?? '',
      reason: text(fields.reason),
      runs: Array.isArray(fields.runs) ? fields.runs : [],
    };
    return { name: 'action', replica, payload };
  }
  const run = notice.run === undefined ? null : await store.getRun(notice.run);
  if (!run) return undefined;
  switch (notice.event) {
    case 'run:queued':
      return { name: notice.event, replica, payload: { run, coalesced: fields.coalesced === true } };
    case 'run:start':
    case 'run:finish':
      return { name: notice.event, replica, payload: { run } };
  }
  const job = run.jobs.find((entry) => entry.id === notice.job);
  if (!job) return undefined;
  if (notice.event === 'job:start') return { name: 'job:start', replica, payload: { run, job } };
  return { name: 'job:finish', replica, payload: { run, job, result: resultOf(job) } };
}
