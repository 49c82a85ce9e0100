import { describe, expect, it } from 'vitest';
import { ShutdownError, timeoutError } from '../abort.js';
import type { Executor, ExecutorContext, Logger } from '../interfaces/executor.js';
import type { Job, JobResult } from '../types.js';

export interface ExecutorSuiteOptions {
  /** Name of the describe block; defaults to the executor's id. */
  name?: string;
  /** The executor under test, or a factory called once per test. */
  executor: Executor | (() => Executor | Promise<Executor>);
  /** Jobs the executor should complete with the given outcome. */
  jobs: {
    /** A job that succeeds. */
    succeed(): Job | Promise<Job>;
    /** A job that fails (a non-zero exit, a failed pipeline). */
    fail(): Job | Promise<Job>;
    /**
     * A job that runs until aborted. Once it is running it must write something to stdout or
     * stderr (`ctx.output`): the suite aborts the job's signal at that first output, so a job
     * that never prints makes the suite wait until the test times out.
     */
    hang(): Job | Promise<Job>;
  };
}

interface OutputEvent {
  stream: unknown;
  text: unknown;
}

/** The executor's observed behaviour for one job. */
interface Observed {
  result: JobResult;
  outputs: OutputEvent[];
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Bounds the hang tests: an executor must stop within this time once its signal is aborted. */
const ABORT_TEST_TIMEOUT_MS = 30_000;

function silentLogger(): Logger {
  const logger: Logger = {
    trace() {},
    debug() {},
    info() {},
    warn() {},
    error() {},
    child: () => logger,
  };
  return logger;
}

async function resolveExecutor(option: ExecutorSuiteOptions['executor']): Promise<Executor> {
  return typeof option === 'function' ? option() : option;
}

/**
 * Runs a job; `abortAtFirstOutput` aborts the signal with that reason the first time the
 * executor writes to stdout or stderr, which is a point where the job is known to be running.
 * A rejection fails the test: executors report problems in the result, they never throw.
 */
async function observe(
  executor: Executor,
  job: Job,
  options: { abortAtFirstOutput?: unknown; controller?: AbortController } = {},
): Promise<Observed> {
  const controller = options.controller ?? new AbortController();
  const outputs: OutputEvent[] = [];
  const context: ExecutorContext = {
    signal: controller.signal,
    log: silentLogger(),
    output(stream, text) {
      outputs.push({ stream, text });
      const running = stream === 'stdout' || stream === 'stderr';
      if (running && 'abortAtFirstOutput' in options && !controller.signal.aborted) {
        controller.abort(options.abortAtFirstOutput);
      }
    },
    emit() {},
  };
  let result: JobResult;
  try {
    result = await executor.execute(job, context);
  } catch (error) {
    throw new Error(`executor "${executor.id}" rejected instead of resolving with a failed result`, {
      cause: error,
    });
  }
  return { result, outputs };
}

function expectTimestamps(result: JobResult): void {
  expect(result.startedAt).toMatch(ISO_TIMESTAMP);
  expect(result.finishedAt).toMatch(ISO_TIMESTAMP);
  expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
  expect(result.durationMs).toBeGreaterThanOrEqual(0);
  expect(typeof result.output).toBe('string');
}

function expectStringOutputs(outputs: OutputEvent[]): void {
  for (const event of outputs) {
    expect(['stdout', 'stderr', 'system']).toContain(event.stream);
    expect(typeof event.text).toBe('string');
  }
}

/**
 * The conformance suite every executor runs: result shape, outcomes, and that the signal is
 * honoured (timeouts become `timed_out`, shutdown becomes `cancelled`).
 */
export function describeExecutor(options: ExecutorSuiteOptions): void {
  describe(options.name ?? 'executor conformance', () => {
    it('has an id and capabilities', async () => {
      const executor = await resolveExecutor(options.executor);
      expect(typeof executor.id).toBe('string');
      expect(executor.id.length).toBeGreaterThan(0);
      expect(typeof executor.capabilities.reattach).toBe('boolean');
      expect(typeof executor.execute).toBe('function');
    });

    it('completes a succeeding job as succeeded', async () => {
      const executor = await resolveExecutor(options.executor);
      const { result, outputs } = await observe(executor, await options.jobs.succeed());
      expect(result.status, result.error ?? undefined).toBe('succeeded');
      expect(result.error).toBeNull();
      expectTimestamps(result);
      expectStringOutputs(outputs);
    });

    it('completes a failing job as failed, with a reason', async () => {
      const executor = await resolveExecutor(options.executor);
      const { result, outputs } = await observe(executor, await options.jobs.fail());
      expect(result.status).toBe('failed');
      expect(typeof result.error).toBe('string');
      expectTimestamps(result);
      expectStringOutputs(outputs);
    });

    it(
      'reports a job aborted with a TimeoutError as timed_out',
      async () => {
        const executor = await resolveExecutor(options.executor);
        const reason = timeoutError('conformance: job timed out');
        const { result, outputs } = await observe(executor, await options.jobs.hang(), {
          abortAtFirstOutput: reason,
        });
        expect(result.status).toBe('timed_out');
        expect(result.exitCode).toBeNull();
        expect(typeof result.error).toBe('string');
        expectTimestamps(result);
        expectStringOutputs(outputs);
      },
      ABORT_TEST_TIMEOUT_MS,
    );

    it(
      'reports a job aborted at shutdown as cancelled',
      async () => {
        const executor = await resolveExecutor(options.executor);
        const reason = new ShutdownError('conformance: shutting down');
        const { result } = await observe(executor, await options.jobs.hang(), { abortAtFirstOutput: reason });
        expect(result.status).toBe('cancelled');
        expect(result.exitCode).toBeNull();
        expect(typeof result.error).toBe('string');
        expectTimestamps(result);
      },
      ABORT_TEST_TIMEOUT_MS,
    );

    it(
      'does not run a job whose signal is already aborted',
      async () => {
        const executor = await resolveExecutor(options.executor);
        const controller = new AbortController();
        controller.abort(new ShutdownError('conformance: aborted before start'));
        const { result } = await observe(executor, await options.jobs.hang(), { controller });
        expect(['cancelled', 'timed_out']).toContain(result.status);
        expectTimestamps(result);
      },
      ABORT_TEST_TIMEOUT_MS,
    );
  });
}
