import { abortMessage, type JobOutcome, outcomeOfAbort } from '@sentry-git/core';

/** What a mode reports; the executor adds timings and the output tail. */
export interface Outcome {
  status: JobOutcome;
  error: string | null;
}

export function abortedOutcome(signal: AbortSignal): Outcome {
  return { status: outcomeOfAbort(signal), error: abortMessage(signal) };
}

export function failed(error: string): Outcome {
  return { status: 'failed', error };
}
