import type { FastifyReply } from 'fastify';

/** An answer that stays open and is written as things happen (the event stream, a followed log). */
export interface LiveResponse {
  /** Aborted when the answer ends: the client went away, the server closes, or `end()`. */
  readonly signal: AbortSignal;
  /** Writes a chunk; false once the client reads slower than it is written to (see `drained`). */
  write(text: string): boolean;
  /** Resolves when the client has read what was written, or the answer ended. */
  drained(): Promise<void>;
  /** Ends the answer cleanly (the last chunk of a chunked body). Idempotent. */
  end(): void;
  /** Cuts the connection: the client sees the answer broken off, not complete. */
  destroy(): void;
  /** Runs `cleanup` once the answer ends, or now when it already has. */
  onEnd(cleanup: () => void): void;
}

export interface LiveStreams {
  /** Takes over a request's answer: headers go out now, the body as it is written. */
  open(reply: FastifyReply, headers: Record<string, string>): LiveResponse;
  /** Ends every open answer: `close()` would otherwise wait for them forever. */
  closeAll(): void;
}

/** The open live answers of one server, so that closing it can end them. */
export function createLiveStreams(): LiveStreams {
  const open = new Set<LiveResponse>();
  return {
    open(reply, headers) {
      // Taken out of fastify's hands: its reply would wait for one payload to end.
      reply.hijack();
      const response = reply.raw;
      const controller = new AbortController();
      response.writeHead(200, headers);
      response.flushHeaders();
      const live: LiveResponse = {
        signal: controller.signal,
        write: (text) => (response.writableEnded || response.destroyed ? false : response.write(text)),
        drained: () =>
          new Promise<void>((resolve) => {
            if (controller.signal.aborted || !response.writableNeedDrain) return resolve();
            const done = () => {
              response.off('drain', done);
              controller.signal.removeEventListener('abort', done);
              resolve();
            };
            response.once('drain', done);
            controller.signal.addEventListener('abort', done, { once: true });
          }),
        end() {
          finish();
          if (!response.writableEnded && !response.destroyed) response.end();
        },
        destroy() {
          finish();
          response.destroy();
        },
        onEnd(cleanup) {
          if (controller.signal.aborted) cleanup();
          else controller.signal.addEventListener('abort', cleanup, { once: true });
        },
      };
      function finish(): void {
        open.delete(live);
        controller.abort();
      }
      // 'close' fires when the answer is complete or the connection is gone, whichever comes first.
      response.once('close', finish);
      open.add(live);
      // A HEAD request gets the headers only: nothing would ever be sent on it.
      if (reply.request.method === 'HEAD') live.end();
      return live;
    },
    closeAll() {
      for (const live of [...open]) live.end();
    },
  };
}
