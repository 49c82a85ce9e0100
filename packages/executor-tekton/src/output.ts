import type { ExecutorContext, Logger } from '@sentry-git/core';
import { createOutputSink, type OutputSink } from '@sentry-git/executor-kit';

/** A job's output, one line at a time: executor notes on 'system', the deploy's progress on stdout. */
export interface JobOutput {
  /** What the executor does: created, re-attached, cancelling, retrying. */
  note(line: string): void;
  /** What the deploy does: TaskRun state changes. */
  progress(line: string): void;
  /** The raw sink (the QA clone writes git's messages to it). */
  sink: OutputSink;
  /** For what only matters when debugging (a watch the server closed and that was opened again). */
  log: Logger;
}

function line(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

export function createJobOutput(context: ExecutorContext): JobOutput {
  const sink = createOutputSink(context);
  return {
    note: (text) => sink.write('system', line(text)),
    progress: (text) => sink.write('stdout', line(text)),
    sink,
    log: context.log,
  };
}
