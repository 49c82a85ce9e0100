/** One server-sent event: its name (`message` when the server gave none), data and id. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Reads a `text/event-stream` body (text chunks, split anywhere) into its events, as the
 * EventSource standard does: `event:`, `data:` (lines joined with "\n"), `id:`, a blank line
 * ends an event, `:` lines are comments (the server's pings).
 */
export async function* readEvents(chunks: AsyncIterable<string>): AsyncIterable<SseEvent> {
  let pending = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;
  for await (const chunk of chunks) {
    pending += chunk;
    // A "\r" at the end may be the first half of a "\r\n" still on its way.
    const cut = pending.endsWith('\r') ? pending.length - 1 : pending.length;
    const lines = pending.slice(0, cut).split(/\r\n|\r|\n/);
    pending = (lines.pop() ?? '') + pending.slice(cut);
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  }
}
