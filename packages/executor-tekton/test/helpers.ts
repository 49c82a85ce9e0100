import { randomUUID } from 'node:crypto';
import type { ExecutorContext, Job, Logger, TektonDeployInput } from '@sentry-git/core';
import { tektonDeploySchema } from '@sentry-git/core';
import { makeJob } from '@sentry-git/core/testing';

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

/** A logger that hands debug messages to `onDebug` (tests wait on the executor's own steps). */
function testLogger(onDebug: (message: string) => void): Logger {
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
 * A context that records output. `abortWhen` aborts the signal with `reason` the first time the
 * output so far matches it: tests wait on the job's own progress, never on a clock.
 */
export function recordingContext(
  options: { abortWhen?: RegExp; reason?: unknown; onDebug?: (message: string) => void } = {},
): RecordingContext {
  const controller = new AbortController();
  const outputs: OutputEvent[] = [];
  const text = (stream?: OutputEvent['stream']) =>
    outputs
      .filter((event) => stream === undefined || event.stream === stream)
      .map((event) => event.text)
      .join('');
  const context: ExecutorContext = {
    signal: controller.signal,
    log: testLogger((message) => options.onDebug?.(message)),
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

/**
 * A job for the tekton executor; `tekton` is the block as written in a config file. Every job
 * gets fresh ids (the executor re-attaches to PipelineRuns of a job id it has seen).
 */
export function tektonJob(tekton: TektonDeployInput, overrides: Parameters<typeof makeJob>[0] = {}): Job {
  const { deploy, ...rest } = overrides;
  return makeJob({
    id: `job_${randomUUID().slice(0, 8)}`,
    runId: `run_${randomUUID().slice(0, 8)}`,
    sha: '0123456789abcdef0123456789abcdef01234567',
    previousSha: 'fedcba9876543210fedcba9876543210fedcba98',
    repoUrl: 'https://github.com/acme/rag.git',
    repository: 'rag-service',
    projectName: 'rag',
    ...rest,
    deploy: { executor: 'tekton', commands: undefined, ...deploy, tekton: tektonDeploySchema.parse(tekton) },
  });
}

/** Runs `action` once, the first time the job writes a chunk matching `pattern`. */
export function onFirstOutput(context: ExecutorContext, pattern: RegExp, action: () => void): void {
  const output = context.output;
  let done = false;
  context.output = (stream, text) => {
    output(stream, text);
    if (!done && pattern.test(text)) {
      done = true;
      action();
    }
  };
}
