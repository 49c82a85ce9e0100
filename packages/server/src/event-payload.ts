import type { SentryEvents } from '@sentry-git/core';
import { jobSummary, runSummary } from './run-summary.js';

/** The engine events the stream carries, by their bus names. */
export const STREAMED_EVENTS = [
  'change',
  'baseline',
  'run:queued',
  'run:start',
  'job:start',
  'job:finish',
  'run:finish',
  'poll:finish',
  'poll:error',
  'action',
  'replica:assigned',
] as const satisfies ReadonlyArray<keyof SentryEvents>;

export type StreamedEvent = (typeof STREAMED_EVENTS)[number];

/**
 * An event as the stream sends it: plain JSON, runs and jobs without their output (a client
 * follows a job's log for that), a job as stored (not the configuration an executor gets), an
 * error as its message. The bus already redacted every string.
 */
export function streamPayload<K extends StreamedEvent>(name: K, payload: SentryEvents[K]): unknown {
  switch (name) {
    case 'run:queued': {
      const { run, coalesced } = payload as SentryEvents['run:queued'];
      return { run: runSummary(run), coalesced };
    }
    case 'run:start':
    case 'run:finish':
      return { run: runSummary((payload as SentryEvents['run:start']).run) };
    case 'job:start': {
      const { run, job } = payload as SentryEvents['job:start'];
      const stored = run.jobs.find((entry) => entry.id === job.id);
      const { id, runId, repository, group, branch, sha, previousSha, trigger } = job;
      return {
        run: runSummary(run),
        job: stored
          ? jobSummary(stored)
          : { id, runId, repository, group, branch, sha, previousSha, trigger },
      };
    }
    case 'job:finish': {
      const { run, job, result } = payload as SentryEvents['job:finish'];
      const { output: _output, ...outcome } = result;
      return { run: runSummary(run), job: jobSummary(job), result: outcome };
    }
    case 'poll:error': {
      const { error, ...rest } = payload as SentryEvents['poll:error'];
      return { ...rest, error: error.message };
    }
    default:
      return payload;
  }
}
