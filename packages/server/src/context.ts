import type { Sentry } from '@sentry-git/core';
import type { SentryMetrics } from './metrics.js';
import type { ResolvedServerOptions } from './options.js';

/** What every route reads: the engine, the resolved options, the metrics and the poll clock. */
export interface ServerContext {
  sentry: Sentry;
  options: ResolvedServerOptions;
  metrics: SentryMetrics;
  /** When the last poll cycle finished (epoch ms), if one did since the server was created. */
  lastPollFinishedAt(): number | undefined;
  /** When the server was created (epoch ms): the readiness grace starts here. */
  startedAt: number;
}
