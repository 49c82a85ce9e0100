import { randomBytes } from 'node:crypto';
import type { EventBus, ReplicaView } from '@sentry-git/core';
import { STREAMED_EVENTS, type StreamedEvent, streamPayload } from './event-payload.js';

/** One event as the stream sends it, serialised once for every client. */
export interface JournalEntry {
  /** `<boot>-<seq>`. */
  id: string;
  seq: number;
  /** `reset`: this replica missed other replicas' events, and a client must reload everything. */
  name: StreamedEvent | 'reset';
  /** The payload as one line of JSON. */
  data: string;
}

/** What a client that last saw an id missed: the events after it, or why it must reload. */
export type Catchup = { events: JournalEntry[] } | { reset: string };

export interface EventJournal {
  /** This server life's id: ids of another life are never replayed. */
  readonly boot: string;
  /** The newest event's id; `<boot>-0` before the first. */
  lastId(): string;
  after(lastEventId: string): Catchup;
  /** Each new event, after it is journalled. Returns the unsubscribe function. */
  subscribe(listener: (entry: JournalEntry) => void): () => void;
  /** Stops listening to the engine. */
  close(): void;
}

/**
 * The last `size` streamed events in a ring, numbered from 1 in this server life. A client that
 * reconnects with the id it saw last gets exactly what came after it; the bus emits synchronously,
 * so reading the ring and subscribing in one turn leaves no gap and no duplicate. On a store
 * several replicas share, the other replicas' events (`replica.onShared`) are journalled too, in
 * the order they arrive, each with a `replica` field naming where it happened: a client of any
 * replica sees every replica's runs. When this replica missed some of those (it lost its
 * connection for them), a `reset` goes in the journal: live clients and those replaying past it
 * reload from the store instead of showing a history with a hole.
 */
export function createEventJournal(
  bus: EventBus,
  size: number,
  replica?: Pick<ReplicaView, 'onShared' | 'onGap'>,
): EventJournal {
  const boot = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x');
  const ring: Array<JournalEntry | undefined> = new Array(size);
  const listeners = new Set<(entry: JournalEntry) => void>();
  let last = 0;

  function append(name: JournalEntry['name'], data: object): void {
    last += 1;
    const entry: JournalEntry = { id: `${boot}-${last}`, seq: last, name, data: JSON.stringify(data) };
    ring[last % size] = entry;
    for (const listener of listeners) listener(entry);
  }

  function record(name: StreamedEvent, payload: unknown, from?: string): void {
    const data = streamPayload(name, payload as never) as object;
    append(name, from === undefined ? data : { ...data, replica: from });
  }

  const offs = STREAMED_EVENTS.map((name) => bus.on(name, (payload) => record(name, payload)));
  if (replica) {
    offs.push(replica.onShared((event) => record(event.name, event.payload, event.replica)));
    offs.push(replica.onGap((reason) => append('reset', { reason })));
  }

  function after(lastEventId: string): Catchup {
    const dash = lastEventId.lastIndexOf('-');
    const seqText = lastEventId.slice(dash + 1);
    if (dash < 0 || lastEventId.slice(0, dash) !== boot || !/^\d+$/.test(seqText)) {
      return { reset: `the event id "${lastEventId}" is not from this server's life (it restarted)` };
    }
    const seq = Number(seqText);
    if (seq > last) return { reset: `the event id "${lastEventId}" was never sent` };
    const oldest = Math.max(1, last - size + 1);
    if (seq < oldest - 1) {
      return {
        reset: `the events after "${lastEventId}" are no longer kept (the journal holds the last ${size})`,
      };
    }
    const events: JournalEntry[] = [];
    for (let next = seq + 1; next <= last; next += 1) events.push(ring[next % size] as JournalEntry);
    return { events };
  }

  return {
    boot,
    lastId: () => `${boot}-${last}`,
    after,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const off of offs) off();
      listeners.clear();
    },
  };
}
