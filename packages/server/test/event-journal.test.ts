import { createRedactor, type SentryEvents, type SharedEvent } from '@sentry-git/core';
import { createEventBus } from '@sentry-git/core/internal';
import { describe, expect, it } from 'vitest';
import { createEventJournal } from '../src/event-journal.js';

/** A replica view whose other replicas' events and gaps the test delivers. */
function replicaView() {
  const shared = new Set<(event: SharedEvent) => void>();
  const gaps = new Set<(reason: string) => void>();
  return {
    onShared(handler: (event: SharedEvent) => void) {
      shared.add(handler);
      return () => shared.delete(handler);
    },
    onGap(handler: (reason: string) => void) {
      gaps.add(handler);
      return () => gaps.delete(handler);
    },
    gap(reason: string) {
      for (const handler of gaps) handler(reason);
    },
    listeners: () => shared.size + gaps.size,
  };
}

const action = (by: string): SentryEvents['action'] => ({
  action: 'pause',
  by,
  at: '2026-01-05T10:00:00.000Z',
  reason: null,
  target: 'repository:app',
  runs: [],
});

describe('the event journal', () => {
  it("journals a replica's gap as a reset: live clients get it, and so does a client replaying past it", async () => {
    const bus = createEventBus(createRedactor([]));
    const replica = replicaView();
    const journal = createEventJournal(bus, 100, replica);
    const live: string[] = [];
    journal.subscribe((entry) => live.push(`${entry.name} ${entry.data}`));

    bus.emit('action', action('alice'));
    const beforeGap = journal.lastId();
    replica.gap('replica a did not hear the other replicas’ events from T1 to T2');
    bus.emit('action', action('bob'));

    expect(live).toEqual([
      expect.stringMatching(/^action .*"by":"alice"/),
      'reset {"reason":"replica a did not hear the other replicas’ events from T1 to T2"}',
      expect.stringMatching(/^action .*"by":"bob"/),
    ]);
    // A client that last saw the event before the gap replays the reset, then what followed.
    const catchup = journal.after(beforeGap);
    expect('events' in catchup && catchup.events.map((entry) => entry.name)).toEqual(['reset', 'action']);

    journal.close();
    expect(replica.listeners()).toBe(0);
  });
});
