import type { Sentry } from '@sentry-git/core';
import type { ApiClient } from '../remote/client.js';
import { readEvents } from '../remote/sse.js';
import type { JobView, RunView } from './view.js';

/** What the progress display follows of a run: it and its jobs starting and ending. */
export type RunEvent =
  | { type: 'job:start'; run: RunView; jobId: string }
  | { type: 'job:finish'; run: RunView; job: JobView }
  | { type: 'run:finish'; run: RunView };

/**
 * The events of every run, kept from the moment the source exists until `listen`, so a run
 * that starts (or ends) between queueing it and following it is not missed.
 */
export interface RunEventSource {
  /** Hands over the events kept so far, then each new one; `lost` when the events stop coming. */
  listen(handler: (event: RunEvent) => void, lost: (error: Error) => void): void;
  close(): void;
}

interface Relay {
  push(event: RunEvent): void;
  fail(error: Error): void;
  source(close: () => void): RunEventSource;
}

function relay(): Relay {
  const kept: RunEvent[] = [];
  let handler: ((event: RunEvent) => void) | undefined;
  let lost: ((error: Error) => void) | undefined;
  let failure: Error | undefined;
  return {
    push(event) {
      if (handler) handler(event);
      else kept.push(event);
    },
    fail(error) {
      failure = error;
      lost?.(error);
    },
    source: (close) => ({
      listen(next, onLost) {
        handler = next;
        lost = onLost;
        for (const event of kept.splice(0)) next(event);
        if (failure) onLost(failure);
      },
      close,
    }),
  };
}

/** The events of this process's engine. */
export function engineEvents(sentry: Sentry): RunEventSource {
  const events = relay();
  const offs = [
    sentry.on('job:start', ({ run, job }) => events.push({ type: 'job:start', run, jobId: job.id })),
    sentry.on('job:finish', ({ run, job }) => events.push({ type: 'job:finish', run, job })),
    sentry.on('run:finish', ({ run }) => events.push({ type: 'run:finish', run })),
  ];
  return events.source(() => {
    for (const off of offs) off();
  });
}

/** Reads one event's JSON; an event this CLI does not follow, or cannot read, is passed over. */
function runEvent(name: string, data: string): RunEvent | null {
  if (name !== 'job:start' && name !== 'job:finish' && name !== 'run:finish') return null;
  let payload: { run?: RunView; job?: JobView };
  try {
    payload = JSON.parse(data) as typeof payload;
  } catch {
    return null;
  }
  const { run, job } = payload;
  if (!run) return null;
  if (name === 'run:finish') return { type: name, run };
  if (!job) return null;
  return name === 'job:start' ? { type: name, run, jobId: job.id } : { type: name, run, job };
}

/**
 * The events of the running watch, from its server's event stream (`GET /api/v1/events`),
 * opened for the request `what`.
 * Resolves once the server answered, so events of what the caller asks for next are not missed.
 */
export async function serverEvents(client: ApiClient, what: string): Promise<RunEventSource> {
  const events = relay();
  const controller = new AbortController();
  // Opened before the command's request: a refused token is the command's refusal (`what`).
  const chunks = await client.stream(what, '/api/v1/events', controller.signal);
  void (async () => {
    for await (const { event, data } of readEvents(chunks)) {
      const parsed = runEvent(event, data);
      if (parsed) events.push(parsed);
    }
    if (!controller.signal.aborted)
      events.fail(new Error(`the server at ${client.url} ended its event stream`));
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) events.fail(error instanceof Error ? error : new Error(String(error)));
  });
  return events.source(() => controller.abort());
}
