import type { ExecutorContext, Logger } from '../interfaces/executor.js';

/** One `ctx.output()` call as the context recorded it. */
export interface OutputEvent {
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

export interface RecordingContext {
  context: ExecutorContext;
  controller: AbortController;
  outputs: OutputEvent[];
  /** Everything written to one stream (or all of them), in order. */
  text(stream?: OutputEvent['stream']): string;
}

export interface RecordingContextOptions {
  /** Abort the job's signal the first time the output so far matches this. @default never */
  abortWhen?: RegExp;
  /** The abort reason given with `abortWhen`. @default undefined (the signal's own AbortError) */
  reason?: unknown;
  /** Receives the executor's debug log lines (a test may wait on the executor's own steps). @default ignored */
  onDebug?: (message: string) => void;
}

function debugLogger(onDebug: (message: string) => void): Logger {
  const logger: Logger = {
    trace() {},
    debug(object, message) {
      onDebug(typeof object === 'string' ? object : (message ?? ''));
    },
    info() {},
    warn() {},
    error() {},
    child: () => logger,
  };
  return logger;
}

/**
 * An executor context for an executor's own tests: it records every output, and with
 * `abortWhen` aborts the signal when the job has printed what the test waits for, so tests wait
 * on the job's progress, never on a clock.
 */
export function recordingContext(options: RecordingContextOptions = {}): RecordingContext {
  const controller = new AbortController();
  const outputs: OutputEvent[] = [];
  const text = (stream?: OutputEvent['stream']) =>
    outputs
      .filter((event) => stream === undefined || event.stream === stream)
      .map((event) => event.text)
      .join('');
  const context: ExecutorContext = {
    signal: controller.signal,
    log: debugLogger((message) => options.onDebug?.(message)),
    output(stream, chunk) {
      outputs.push({ stream, text: chunk });
      if (options.abortWhen && !controller.signal.aborted && options.abortWhen.test(text())) {
        controller.abort(options.reason);
      }
    },
    emit() {},
  };
  return { context, controller, outputs, text };
}
