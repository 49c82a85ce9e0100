import type { Sentry } from '@sentry-git/core';
import type { Guard } from './auth.js';
import type { EventJournal } from './event-journal.js';
import type { LiveStreams } from './live-streams.js';
import type { SentryMetrics } from './metrics.js';
import type { ResolvedServerOptions } from './options.js';

/** What every route reads: the engine, the resolved options, the metrics and the poll clock. */
export interface ServerContext {
  sentry: Sentry;
  options: ResolvedServerOptions;
  metrics: SentryMetrics;
  /** Who a request is (its token was checked before the route ran). */
  guard: Guard;
  /** The streamed events kept for clients that reconnect. */
  journal: EventJournal;
  /** The answers that stay open (event streams, followed logs): closing the server ends them. */
  streams: LiveStreams;
  /** When the last poll cycle finished (epoch ms), if one did since the server was created. */
  lastPollFinishedAt(): number | undefined;
  /** When the server was created (epoch ms): the readiness grace starts here. */
  startedAt: number;
}
