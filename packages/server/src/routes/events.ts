import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import type { JournalEntry } from '../event-journal.js';
import { EVENT_STREAM_HEADERS, sseComment, sseEvent, sseId } from '../sse.js';

const EVENTS_PATH = '/api/v1/events';

function frame(entry: JournalEntry): string {
  return sseEvent(entry.id, entry.name, entry.data);
}

/**
 * `GET /api/v1/events`: the engine's events as server-sent events. With `Last-Event-ID` the
 * client first gets every event after that id from the journal, or `reset` when the journal
 * cannot tell (another server life, an id too old): it must then reload everything. Without
 * one it gets the newest id, so a reconnect before the first event still misses nothing.
 */
export function registerEventsRoute(app: FastifyInstance, context: ServerContext): void {
  const { journal, streams, options } = context;
  // A client this many events behind (it stopped reading) is dropped: it reconnects and gets
  // the events it missed from the journal, or a reset.
  const maxBacklog = options.eventStream.journalSize;

  app.get(EVENTS_PATH, { config: { access: 'read' } }, async (request, reply) => {
    const header = request.headers['last-event-id'];
    const lastEventId = (Array.isArray(header) ? header[0] : header)?.trim();
    const live = streams.open(reply, EVENT_STREAM_HEADERS);
    let backlog = 0;
    reply.raw.on('drain', () => {
      backlog = 0;
    });
    function send(text: string): void {
      if (live.signal.aborted || live.write(text)) return;
      backlog += 1;
      if (backlog > maxBacklog) live.destroy();
    }
    // Catch-up and subscription in one turn: the bus emits synchronously, so no event falls
    // between them, and none is sent twice.
    if (lastEventId) {
      const catchup = journal.after(lastEventId);
      if ('reset' in catchup) {
        send(sseEvent(journal.lastId(), 'reset', JSON.stringify({ reason: catchup.reset })));
      } else {
        for (const entry of catchup.events) send(frame(entry));
      }
    } else {
      send(sseId(journal.lastId()));
    }
    const unsubscribe = journal.subscribe((entry) => send(frame(entry)));
    const ping = setInterval(() => send(sseComment('ping')), options.eventStream.pingIntervalMs);
    // Also when the catch-up already ended it (a HEAD request, a client dropped mid-replay).
    live.onEnd(() => {
      unsubscribe();
      clearInterval(ping);
    });
  });
}
