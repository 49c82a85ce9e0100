/**
 * Server-sent events framing (the HTML standard's `text/event-stream`). Data is always one line
 * of JSON (JSON.stringify escapes every line break), so each event is one `data:` line.
 * Written by hand: see docs/decisions.md ("The event stream frames its own events").
 */

export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx and similar proxies would otherwise hold events back in their buffers.
  'x-accel-buffering': 'no',
};

export function sseEvent(id: string, name: string, json: string): string {
  return `id: ${id}\nevent: ${name}\ndata: ${json}\n\n`;
}

/**
 * An id without an event: a client's last event id becomes `id` (EventSource sends it back as
 * `Last-Event-ID` when it reconnects) and nothing is dispatched.
 */
export function sseId(id: string): string {
  return `id: ${id}\n\n`;
}

/** A comment: ignored by clients, it keeps proxies from closing a quiet connection. */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}
