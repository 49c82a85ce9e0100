import type { Dispatcher } from 'undici';

/**
 * A body that arrives into memory as the server sends it. `bytes` settles when the answer is
 * complete (or fails with the error that cut it short); `discard` drops what came and what is to
 * come (a `bytes` still waiting fails), and gives up the answer if more than
 * {@link DISCARD_LIMIT} bytes are still on their way.
 */
export interface ArrivingBody {
  bytes(): Promise<Buffer>;
  discard(): void;
}

/** What a server answered: status, headers (undici's lower-case names), the body as it arrives. */
export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ArrivingBody;
}

/**
 * A discarded body the server goes on sending is read to its end up to this many bytes, so the
 * connection stays in the pool; past it the request is aborted (the connection with it), as
 * undici's own `body.dump()` does.
 */
const DISCARD_LIMIT = 128 * 1024;

/** What aborted an exchange whose caller gave no reason. */
function abortedError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/**
 * One request on `dispatcher` through undici's handler API (`dispatch`), not `request()`: the
 * answer's body is gathered chunk by chunk into memory instead of through a Readable stream per
 * response (stream state, nextTicks, `request()`'s async resource), which the profiles of
 * `sentry-git watch` showed on every request. docs/decisions.md, "HTTP transport: bodies
 * without a stream per answer", has the figures. Resolves with the status and headers; the body
 * follows. Rejects with `signal`'s reason when it aborts, and with undici's error when the
 * exchange fails before the headers.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let abortReason: Error | undefined;
    let chunks: Buffer[] = [];
    let received = 0;
    let discarded = false;
    let result: Buffer | Error | undefined;
    let waiting: { resolve(bytes: Buffer): void; reject(error: unknown): void } | undefined;
    let answered = false;

    function settleBody(outcome: Buffer | Error): void {
      if (result !== undefined) return;
      result = outcome;
      chunks = [];
      signal?.removeEventListener('abort', onAbort);
      if (!waiting) return;
      if (outcome instanceof Error) waiting.reject(outcome);
      else waiting.resolve(outcome);
    }

    function fail(error: Error): void {
      if (!answered) {
        answered = true;
        reject(error);
      }
      settleBody(error);
    }

    function onAbort(): void {
      const reason = signal?.reason instanceof Error ? signal.reason : abortedError();
      abortReason = reason;
      // Before the request reached a connection there is nothing to abort yet: the start does it.
      controller?.abort(reason);
      fail(reason);
    }

    const body: ArrivingBody = {
      bytes() {
        if (result instanceof Error) return Promise.reject(result);
        if (result !== undefined) return Promise.resolve(result);
        return new Promise<Buffer>((resolveBytes, rejectBytes) => {
          waiting = { resolve: resolveBytes, reject: rejectBytes };
        });
      },
      discard() {
        const arriving = result === undefined;
        discarded = true;
        chunks = [];
        // A read under way ends with the cancel, as a cancelled stream's read does, not with a
        // body cut short; the rest is still read to keep the connection.
        if (waiting) settleBody(abortedError());
        if (arriving && received > DISCARD_LIMIT) controller?.abort(abortedError());
      },
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (abortReason) started.abort(abortReason);
      },
      onResponseStart(_controller, status, headers) {
        // An informational answer (103 Early Hints) comes before the real one.
        if (answered || status < 200) return;
        answered = true;
        resolve({ status, headers: headers as Exchange['headers'], body });
      },
      onResponseData(active, chunk) {
        received += chunk.length;
        if (!discarded) chunks.push(chunk);
        else if (received > DISCARD_LIMIT) active.abort(abortedError());
      },
      onResponseEnd() {
        settleBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      },
      onResponseError(_controller, error) {
        fail(abortReason ?? error);
      },
    };

    if (signal) {
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    dispatcher.dispatch(options, handler);
  });
}
