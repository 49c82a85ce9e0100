/** The longest `Retry-After` honoured; beyond it the listener is treated as gone for a while. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
const EXCERPT_LENGTH = 300;

/** What the Tekton Triggers sink answers with its 202. */
export interface AcceptedBody {
  eventId: string | null;
  eventListener?: string;
  namespace?: string;
  eventListenerUid?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stringField(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

export function parseAcceptedBody(text: string): AcceptedBody {
  const json = parseJson(text);
  const accepted: AcceptedBody = { eventId: stringField(json, 'eventID') ?? null };
  const eventListener = stringField(json, 'eventListener');
  const namespace = stringField(json, 'namespace');
  const eventListenerUid = stringField(json, 'eventListenerUID');
  if (eventListener) accepted.eventListener = eventListener;
  if (namespace) accepted.namespace = namespace;
  if (eventListenerUid) accepted.eventListenerUid = eventListenerUid;
  return accepted;
}

/** The useful part of an error answer: a JSON `message`/`error`, else the start of the text. */
export function answerMessage(text: string): string {
  const json = parseJson(text);
  const message = stringField(json, 'message') ?? stringField(json, 'error') ?? text;
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_LENGTH ? `${line.slice(0, EXCERPT_LENGTH)}…` : line;
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
