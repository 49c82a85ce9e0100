import { type Api, ApiError, describeError } from './api.js';
import { createEventParser } from './sse.js';

export type FeedState =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; reason: string; retryInMs: number }
  | { state: 'stopped'; reason: string };

export interface FeedHandlers {
  /** A connection is open. `resumed`: it asked for the events after the last one seen. */
  onOpen(resumed: boolean): void;
  onEvent(name: string, data: unknown): void;
  onState(state: FeedState): void;
}

/** Longest wait between two connection attempts. */
const MAX_RETRY_MS = 15_000;
/**
 * The server sends a comment every 15 s: a connection silent for this long is dead (a proxy or
 * a sleeping laptop dropped it without closing it), so it is given up and opened again.
 */
const SILENCE_MS = 45_000;

/**
 * Follows `GET /api/v1/events` with fetch (an EventSource cannot send the Authorization header),
 * for as long as `signal` is not aborted. A lost connection is opened again, with a growing pause
 * between failed attempts, and asks for what it missed with `Last-Event-ID`; the server answers
 * `reset` when it cannot replay them, and the console reloads everything then.
 */
export function followEvents(api: Api, handlers: FeedHandlers, signal: AbortSignal): void {
  let lastId: string | null = null;
  let failures = 0;

  async function connect(): Promise<void> {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    signal.addEventListener('abort', stop);
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(
        () => attempt.abort(new Error(`nothing heard for ${SILENCE_MS / 1000} s`)),
        SILENCE_MS,
      );
    };
    try {
      handlers.onState({ state: 'connecting' });
      const response = await api.open('api/v1/events', {
        signal: attempt.signal,
        headers: { accept: 'text/event-stream', ...(lastId === null ? {} : { 'last-event-id': lastId }) },
      });
      if (!response.body) throw new Error('the answer has no body');
      failures = 0;
      handlers.onState({ state: 'live' });
      handlers.onOpen(lastId !== null);
      const parse = createEventParser((event) => {
        if (event.id !== null) lastId = event.id;
        let data: unknown = event.data;
        try {
          data = JSON.parse(event.data);
        } catch {
          // Not JSON: handed on as text.
        }
        handlers.onEvent(event.event, data);
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      heard();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        heard();
        parse(value);
      }
      throw new Error('the server ended the stream');
    } finally {
      clearTimeout(silence);
      signal.removeEventListener('abort', stop);
    }
  }

  async function loop(): Promise<void> {
    while (!signal.aborted) {
      try {
        await connect();
      } catch (error) {
        if (signal.aborted) return;
        // A refused token sends the console back to its login form (Api's onUnauthorized).
        if (error instanceof ApiError && error.status === 401) {
          handlers.onState({ state: 'stopped', reason: describeError(error) });
          return;
        }
        failures += 1;
        const retryInMs = Math.min(MAX_RETRY_MS, 1000 * 2 ** (failures - 1));
        handlers.onState({ state: 'reconnecting', reason: describeError(error), retryInMs });
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, retryInMs);
          signal.addEventListener('abort', done);
        });
      }
    }
  }

  void loop();
}
