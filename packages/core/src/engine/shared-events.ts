/**
 * A replica's events shared with the other replicas of its store (`coordination.notices`).
 *
 * Takes: the engine's bus, the store's notice channel, the replica's id.
 * Promises: this replica's runs, jobs, changes and actions (SHARED_EVENTS) go out as notices, one
 * after another so the others hear them in order; the others' notices, heard once something asks
 * for them (`onShared`), come back as whole events read from the store, in order, to the
 * handlers only: never on this engine's bus, whose metrics, notifications and commit statuses
 * are this replica's own. A notice that cannot be sent or rebuilt is dropped (logged), not
 * retried: the events are for watching, the store stays the record.
 */
import { errorMessage } from '../errors.js';
import type { EventBus, SharedEvent } from '../events.js';
import type { NoticeChannel, ReplicaNotice } from '../interfaces/coordination.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Redactor } from '../redact.js';
import { eventOf, noticeOf, SHARED_EVENTS } from './shared-notices.js';

export interface SharedEventsRelay {
  /** Calls `handler` with every other replica's event from now on; returns the function that stops it. */
  onShared(handler: (event: SharedEvent) => void): () => void;
  /** Calls `handler` when hearing resumes after a loss (the events in between were missed). */
  onGap(handler: (reason: string) => void): () => void;
  /** Resolves once the others' events are heard (after a first `onShared`; at once before). */
  listening(): Promise<void>;
  /** Stops hearing, and sending once the notices on their way are sent (before the store closes). */
  close(): Promise<void>;
}

export interface SharedEventsInput {
  bus: EventBus;
  channel: NoticeChannel;
  replica: string;
  store: StateStore;
  redactor: Redactor;
  logger: Logger;
}

export function relaySharedEvents(input: SharedEventsInput): SharedEventsRelay {
  const { bus, channel, replica, store, redactor, logger } = input;
  const handlers = new Set<(event: SharedEvent) => void>();
  const gapHandlers = new Set<(reason: string) => void>();
  /** When and why hearing was lost; undefined while it hears. */
  let lost: { at: string; message: string } | undefined;
  let sending: Promise<void> = Promise.resolve();
  let receiving: Promise<void> = Promise.resolve();
  let listen: Promise<void> | undefined;
  let stopListening: (() => void) | undefined;
  let sendFailing = false;
  let closed = false;

  function send(notice: ReplicaNotice): void {
    // Chained: each NOTIFY commits before the next is sent, so the others hear them in order.
    sending = sending.then(() =>
      channel.publish(notice).then(
        () => {
          sendFailing = false;
        },
        (error: unknown) => {
          if (!sendFailing)
            logger.warn(
              { replica, error: errorMessage(error) },
              `replica ${replica} could not tell the other replicas of its ${notice.event} event: ${errorMessage(error)}`,
            );
          sendFailing = true;
        },
      ),
    );
  }

  const offs = SHARED_EVENTS.map((name) =>
    bus.on(name, (payload) => send(noticeOf(name, payload as never, replica))),
  );

  async function deliver(notice: ReplicaNotice): Promise<void> {
    let event: SharedEvent | undefined;
    try {
      event = await eventOf(notice, store);
    } catch (error) {
      logger.debug(
        { replica, error: errorMessage(error) },
        `replica ${replica} could not read replica ${notice.replica}'s ${notice.event} event from the store`,
      );
      return;
    }
    if (!event || closed) return;
    callEach(
      handlers,
      redactor.redactValue(event),
      `handler of replica ${notice.replica}'s "${notice.event}"`,
    );
  }

  /** Calls every handler; one that throws is reported on the bus and the others still run. */
  function callEach<T>(each: Set<(value: T) => void>, value: T, context: string): void {
    for (const handler of each) {
      try {
        handler(value);
      } catch (error) {
        bus.emit('error', { error: error instanceof Error ? error : new Error(String(error)), context });
      }
    }
  }

  function resumed(since: { at: string; message: string }): void {
    const reason = `replica ${replica} did not hear the other replicas' events from ${since.at} to ${new Date().toISOString()} (it ${since.message}): what they did meanwhile is only in the store`;
    // After the notices already on their way: a client that reloads on the gap then misses none.
    receiving = receiving.then(() => {
      if (!closed)
        callEach(gapHandlers, reason, `handler of replica ${replica}'s gap in the other replicas' events`);
    });
  }

  function hear(notice: ReplicaNotice): void {
    // Its own events this replica's bus already carried.
    if (notice.replica === replica || closed) return;
    receiving = receiving.then(() => deliver(notice));
  }

  return {
    onShared(handler) {
      handlers.add(handler);
      const problem = (message: string | undefined) => {
        if (message !== undefined) {
          lost ??= { at: new Date().toISOString(), message };
          logger.warn({ replica }, `replica ${replica} may miss the other replicas' events: it ${message}`);
          return;
        }
        logger.info({ replica }, `replica ${replica} hears the other replicas' events again`);
        if (lost) resumed(lost);
        lost = undefined;
      };
      listen ??= channel.subscribe(hear, problem).then(
        (off) => {
          if (closed) off();
          else stopListening = off;
        },
        (error: unknown) => {
          logger.warn(
            { replica, error: errorMessage(error) },
            `replica ${replica} cannot hear the other replicas' events: ${errorMessage(error)}`,
          );
        },
      );
      return () => {
        handlers.delete(handler);
      };
    },
    onGap(handler) {
      gapHandlers.add(handler);
      return () => {
        gapHandlers.delete(handler);
      };
    },
    listening: () => listen ?? Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      handlers.clear();
      gapHandlers.clear();
      stopListening?.();
      await sending;
    },
  };
}
