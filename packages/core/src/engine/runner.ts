import {
  abortMessage,
  isCancelReason,
  isShutdownReason,
  isTimeoutReason,
  outcomeOfAbort,
  signalWithDeadline,
  skippedResult,
} from '../abort.js';
import type { SentryConfig } from '../config/schema.js';
import { errorMessage, SentryError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import type { Job, JobHandle, JobRecord, JobResult, RunRecord, RunStatus } from '../types.js';
import { attemptJob } from './job-attempt.js';
import { buildJob } from './jobs.js';
import { type LiveOutputs, storableOutput } from './live-output.js';
import { strategyFor } from './run-strategy.js';
import type { RunningRuns } from './running-runs.js';
import { requeueAfterShutdown } from './shutdown-requeue.js';

export interface RunnerDeps {
  config: SentryConfig;
  store: StateStore;
  registry: Registry;
  bus: EventBus;
  logger: Logger;
  redactor: Redactor;
  /** Aborted (with a ShutdownError) when the grace period after stop() is over. */
  shutdownSignal: AbortSignal;
  /** The runs running here, each with its cancel (`Sentry.cancel`). */
  running: RunningRuns;
  /** The output of the jobs running here, kept for `followJob` and saved while they run. */
  live: LiveOutputs;
}

/** A signal aborted with a descriptive TimeoutError after `seconds`, chained to `parent`. */
function deadline(
  parent: AbortSignal,
  seconds: number | undefined,
  what: string,
): { signal: AbortSignal; clear(): void } {
  if (seconds === undefined) return { signal: parent, clear() {} };
  return signalWithDeadline(parent, seconds * 1000, `${what} exceeded its timeout of ${seconds} s`);
}

function failedResult(error: string, startedAt: Date): JobResult {
  const finishedAt = new Date();
  return {
    status: 'failed',
    exitCode: null,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    output: '',
    error,
  };
}

function runStatusOf(results: JobResult[], runSignal: AbortSignal): RunStatus {
  if (runSignal.aborted) return isTimeoutReason(runSignal.reason) ? 'timed_out' : 'cancelled';
  if (results.some((r) => r.status === 'failed' || r.status === 'timed_out')) return 'failed';
  if (results.some((r) => r.status === 'cancelled')) return 'cancelled';
  return 'succeeded';
}

/**
 * Runs one queued run to its end: marks it running, hands its unfinished jobs to the group's
 * strategy, records every job result, and the run's status. Never throws for a job's failure.
 * Registered in `deps.running` meanwhile, so that `Sentry.cancel` can abort it.
 */
export async function executeRun(deps: RunnerDeps, runId: string): Promise<RunRecord> {
  // Registered before it is marked running: a cancel from then on aborts it here, and one that
  // came earlier is in the record read below.
  const cancel = deps.running.start(runId);
  try {
    return await runToEnd(deps, runId, cancel.signal);
  } finally {
    cancel.done();
  }
}

async function runToEnd(deps: RunnerDeps, runId: string, cancelSignal: AbortSignal): Promise<RunRecord> {
  const { store, bus, logger } = deps;
  await store.updateRun(runId, { status: 'running', startedAt: new Date().toISOString() });
  // Read after marking running: from now on no detection merges into this run.
  const found = await store.getRun(runId);
  if (!found) throw new SentryError('STATE_NOT_FOUND', `Run ${runId} vanished from the state store.`);
  const run: RunRecord = found;
  // Asked to cancel before it started here (a request left before a crash, or a cancel racing the start).
  if (run.cancelRequest) deps.running.cancel(run.id, run.cancelRequest);
  bus.emit('run:start', { run });
  const log = logger.child({ runId, unit: run.unit });

  const { strategy, maxParallel, continueOnError, timeout } = strategyFor(deps.config, deps.registry, run);
  const parent = AbortSignal.any([deps.shutdownSignal, cancelSignal]);
  const runDeadline = deadline(parent, timeout, `group run ${run.unit}`);
  const pending = run.jobs.filter((job) => job.status === 'queued' || job.status === 'running');
  const jobsById = new Map<string, JobRecord>(pending.map((job) => [job.id, job]));
  const recorded = new Set<string>();
  const runnable: Job[] = [];
  const unrunnable: Array<{ record: JobRecord; result: JobResult }> = [];
  for (const record of pending) {
    const job = buildJob(deps.config, run, record);
    if (job) runnable.push(job);
    else
      unrunnable.push({
        record,
        result: failedResult(
          `repository "${record.repository}" is no longer in the configuration`,
          new Date(),
        ),
      });
  }

  async function record(job: JobRecord, result: JobResult): Promise<void> {
    // NUL characters (binary output) become U+FFFD: PostgreSQL text cannot hold them.
    const clean: JobResult = {
      ...result,
      output: storableOutput(deps.redactor, result.output),
      error: result.error === null ? null : storableOutput(deps.redactor, result.error),
    };
    recorded.add(job.id);
    if (clean.status === 'succeeded') await store.markDeployed(job.repository, job.branch, job.sha);
    await store.updateJob(job.id, {
      status: clean.status,
      exitCode: clean.exitCode,
      startedAt: clean.startedAt,
      finishedAt: clean.finishedAt,
      durationMs: clean.durationMs,
      output: clean.output,
      error: clean.error,
    });
    const updated: JobRecord = { ...job, ...clean };
    bus.emit('job:finish', { run, job: updated, result: clean });
  }

  /** Jobs a shutdown cancelled or kept from starting: queued again for the next start. */
  const interrupted = new Set<string>();
  let failed = false;

  async function runOne(job: Job): Promise<JobResult> {
    const stored = jobsById.get(job.id)!;
    const startedAt = new Date();
    const jobDeadline = deadline(
      runDeadline.signal,
      job.timeoutSeconds,
      `job ${job.repository} (${job.branch})`,
    );
    let result: JobResult;
    let handle: JobHandle | null = null;
    try {
      if (jobDeadline.signal.aborted) {
        result = {
          ...skippedResult(`not started: ${abortMessage(jobDeadline.signal)}`),
          status: outcomeOfAbort(jobDeadline.signal),
        };
      } else {
        const executor = deps.registry.executor(job.deploy.executor);
        const attempt = await attemptJob(
          { store, bus, log, live: deps.live },
          run,
          stored,
          job,
          executor,
          jobDeadline.signal,
        );
        ({ result, handle } = attempt);
      }
    } catch (error) {
      result = jobDeadline.signal.aborted
        ? {
            ...failedResult(abortMessage(jobDeadline.signal), startedAt),
            status: outcomeOfAbort(jobDeadline.signal),
          }
        : failedResult(`executor "${job.deploy.executor}" threw: ${errorMessage(error)}`, startedAt);
    } finally {
      jobDeadline.clear();
    }
    if (result.status === 'cancelled' && isShutdownReason(jobDeadline.signal.reason))
      interrupted.add(stored.id);
    if (result.status === 'failed' || result.status === 'timed_out') failed = true;
    await record(stored, result);
    if (handle) await deps.registry.executor(job.deploy.executor).release?.(job, handle);
    return result;
  }

  let results: JobResult[] = [];
  let runError: string | null = null;
  try {
    for (const { record: job, result } of unrunnable) await record(job, result);
    results = await strategy.run(runnable, runOne, {
      maxParallel,
      continueOnError,
      signal: runDeadline.signal,
    });
    // Jobs the strategy chose not to start are recorded as it returned them (skipped); those a
    // shutdown kept from starting are queued again, unless a failure had stopped the run first;
    // those a cancel kept from starting end cancelled with it.
    const stoppedByShutdown = isShutdownReason(runDeadline.signal.reason) && (continueOnError || !failed);
    const cancelled = isCancelReason(runDeadline.signal.reason);
    for (const [index, job] of runnable.entries()) {
      const stored = jobsById.get(job.id)!;
      if (recorded.has(job.id)) continue;
      if (stoppedByShutdown) interrupted.add(stored.id);
      const result = results[index] ?? skippedResult('not started by the strategy');
      await record(
        stored,
        cancelled && result.status === 'skipped'
          ? { ...result, status: 'cancelled', error: `not started: ${abortMessage(runDeadline.signal)}` }
          : result,
      );
    }
    results = [...results, ...unrunnable.map((u) => u.result)];
  } catch (error) {
    runError = `strategy "${strategy.id}" failed: ${errorMessage(error)}`;
    for (const job of pending) if (!recorded.has(job.id)) await record(job, skippedResult(runError));
    results = [failedResult(runError, new Date())];
  } finally {
    runDeadline.clear();
  }

  const earlier = run.jobs
    .filter((job) => !jobsById.has(job.id))
    .map((job) => ({ status: job.status }) as JobResult);
  const status = runError ? 'failed' : runStatusOf([...earlier, ...results], runDeadline.signal);
  if (!runError && runDeadline.signal.aborted) runError = abortMessage(runDeadline.signal);
  await store.updateRun(run.id, { status, finishedAt: new Date().toISOString(), error: runError });
  const finished = (await store.getRun(run.id)) ?? run;
  bus.emit('run:finish', { run: finished });
  await requeueAfterShutdown(
    store,
    logger,
    finished,
    finished.jobs.filter((job) => interrupted.has(job.id)),
  );
  return finished;
}
