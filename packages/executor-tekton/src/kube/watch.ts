import type { Watch } from '@kubernetes/client-node';
import type { KubeObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  /** The object; for ERROR a `Status` (410 Expired when the resourceVersion is too old). */
  object: KubeObject;
}

/** Why a watch stream ended. */
export type WatchEnd =
  /** The server closed the stream (a normal timeout, a restart, a dropped connection). */
  | { kind: 'closed' }
  /** The watch could not be opened or broke: refused (403, 500), unreachable. */
  | { kind: 'failed'; error: unknown }
  /** The caller stopped it, or its signal aborted. */
  | { kind: 'stopped' };

export interface WatchStream extends AsyncIterable<WatchEvent> {
  /** Ends the stream (the iteration finishes after the events already received). */
  stop(): void;
  /** Why it ended; undefined while it runs. */
  readonly end: WatchEnd | undefined;
}

/**
 * A Kubernetes watch as an async iterable, so events are handled one at a time, in order, even
 * when handling one takes a request. `Watch.watch()` takes no signal and resolves to its own
 * AbortController once the response headers are in; aborting `signal` stops it either way.
 */
export function openWatch(
  watch: Watch,
  path: string,
  query: Record<string, string | boolean | undefined>,
  signal: AbortSignal,
): WatchStream {
  const buffer: WatchEvent[] = [];
  let end: WatchEnd | undefined;
  let wake: (() => void) | undefined;
  let controller: AbortController | undefined;

  function notify(): void {
    wake?.();
    wake = undefined;
  }
  function finish(reason: WatchEnd): void {
    if (end) return;
    end = reason;
    signal.removeEventListener('abort', stop);
    controller?.abort();
    notify();
  }
  function stop(): void {
    finish({ kind: 'stopped' });
  }

  if (signal.aborted) stop();
  else {
    signal.addEventListener('abort', stop, { once: true });
    watch
      .watch(
        path,
        query,
        (type, object) => {
          if (end) return;
          buffer.push({ type: type as WatchEventType, object: object as KubeObject });
          notify();
        },
        (error) => finish(error ? { kind: 'failed', error } : { kind: 'closed' }),
      )
      .then(
        (started) => {
          controller = started;
          if (end) started.abort();
        },
        (error: unknown) => finish({ kind: 'failed', error }),
      );
  }

  return {
    stop,
    get end() {
      return end;
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const event = buffer.shift();
        if (event) {
          yield event;
          continue;
        }
        if (end) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

/** An ERROR event's Status saying the resourceVersion is too old: list again, then watch. */
export function isExpired(object: unknown): boolean {
  const status = object as { code?: unknown; reason?: unknown } | undefined;
  return status?.code === 410 || status?.reason === 'Expired' || status?.reason === 'Gone';
}
