import type { ReplicaNotice, SharedEventName } from './interfaces/coordination.js';

/**
 * The largest notice `encodeNotice` answers, in UTF-8 bytes: PostgreSQL refuses a NOTIFY payload
 * of 8000 bytes or more, and a channel name and framing ride along.
 */
export const MAX_NOTICE_BYTES = 7_500;

/** Characters a string field keeps (an action's reason, a skipped change's why). */
const MAX_FIELD_CHARS = 500;
/** Entries a list field keeps (the runs an action queued or cancelled). */
const MAX_LIST_ENTRIES = 64;

const SHARED_EVENT_NAMES: ReadonlySet<string> = new Set<SharedEventName>([
  'change',
  'run:queued',
  'run:start',
  'job:start',
  'job:finish',
  'run:finish',
  'action',
]);

function cut(text: string): string {
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS - 1)}…` : text;
}

/**
 * A notice as one line of JSON under `MAX_NOTICE_BYTES`: long strings cut, long lists shortened;
 * undefined when even that is too large (then it is not sent: the others miss one event rather
 * than the store refusing the write).
 */
export function encodeNotice(notice: ReplicaNotice): string | undefined {
  const fields: NonNullable<ReplicaNotice['fields']> = {};
  for (const [key, value] of Object.entries(notice.fields ?? {})) {
    if (typeof value === 'string') fields[key] = cut(value);
    else if (Array.isArray(value)) fields[key] = value.slice(0, MAX_LIST_ENTRIES).map(cut);
    else fields[key] = value;
  }
  const bounded: ReplicaNotice = { ...notice, fields };
  for (const key of ['replica', 'run', 'job', 'repository', 'branch'] as const) {
    const value = bounded[key];
    if (typeof value === 'string') bounded[key] = cut(value);
  }
  const text = JSON.stringify(bounded);
  return Buffer.byteLength(text) < MAX_NOTICE_BYTES ? text : undefined;
}

/** A received notice, or undefined when the text is not one (another program on the channel). */
export function decodeNotice(text: string): ReplicaNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const notice = value as Partial<ReplicaNotice>;
  if (typeof notice.event !== 'string' || !SHARED_EVENT_NAMES.has(notice.event)) return undefined;
  if (typeof notice.replica !== 'string') return undefined;
  return notice as ReplicaNotice;
}
