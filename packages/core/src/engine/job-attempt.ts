import { abortMessage, outcomeOfAbort } from '../abort.js';
import type { EventBus } from '../events.js';
import type { Executor, ExecutorContext, Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Job, JobHandle, JobRecord, JobResult, RunRecord } from '../types.js';
import type { LiveOutputs } from './live-output.js';

export interface AttemptDeps {
  store: StateStore;
  bus: EventBus;
  log: Logger;
  /** Where the job's output so far is kept, and saved to the store while it runs. */
  live: LiveOutputs;
}

export interface Attempt {
  result: JobResult;
  /** What the executor reported it started (now in the store), for `release()` once the result is. */
  handle: JobHandle | null;
}

/** Whether the job started before a crash and its executor can follow that work instead of starting it again. */
function adoptable(executor: Executor, stored: JobRecord): stored is JobRecord & { handle: JobHandle } {
  return (
    stored.attempt > 0 &&
    stored.handle !== null &&
    stored.handle.executor === executor.id &&
    executor.capabilities.reattach &&
    typeof executor.adopt === 'function'
  );
}

/**
 * One start of a job on its executor. A job an earlier process started (`attempt` > 0 with a
 * handle) is adopted: its executor follows the work still running, or takes the result it left,
 * and it keeps its attempt. Otherwise, or when there is nothing to adopt, it runs (again) with
 * `attempt` + 1. The executor reports what it started through `context.started`, which writes
 * the handle to the store before the work has an effect. Its output so far is saved to the store
 * while it runs (live-output.ts).
 */
export async function attemptJob(
  deps: AttemptDeps,
  run: RunRecord,
  stored: JobRecord,
  job: Job,
  executor: Executor,
  signal: AbortSignal,
): Promise<Attempt> {
  const { store, bus } = deps;
  const log = deps.log.child({ jobId: job.id, repository: job.repository, branch: job.branch });
  const tail = deps.live.open(job.id, (output) => store.updateJob(job.id, { output }), log);
  let handle: JobHandle | null = null;
  const context: ExecutorContext = {
    signal,
    log,
    output(stream, text) {
      tail.push(text);
      bus.emit('job:output', {
        runId: run.id,
        jobId: job.id,
        repository: job.repository,
        branch: job.branch,
        stream,
        text,
      });
    },
    emit: (name, payload) => bus.emit(name, payload),
    async started(reported) {
      await store.updateJob(job.id, { handle: reported });
      handle = reported;
    },
  };
  const startedAt = new Date().toISOString();
  let result: JobResult | null = null;
  try {
    if (adoptable(executor, stored)) {
      await store.updateJob(job.id, { status: 'running', startedAt });
      bus.emit('job:start', { run, job });
      log.info(
        { attempt: stored.attempt },
        `adopting job ${job.id}, started by an earlier process (attempt ${stored.attempt})`,
      );
      handle = stored.handle;
      result = await executor.adopt!(job, stored.handle, context);
      if (result === null) {
        handle = null;
        log.warn(`job ${job.id}: nothing left to adopt, running it again (attempt ${stored.attempt + 1})`);
        await store.updateJob(job.id, { attempt: stored.attempt + 1, handle: null });
      }
    } else {
      await store.updateJob(job.id, {
        status: 'running',
        startedAt,
        attempt: stored.attempt + 1,
        handle: null,
      });
      bus.emit('job:start', { run, job });
      if (stored.attempt > 0)
        log.warn(`job ${job.id} started by an earlier process is run again (attempt ${stored.attempt + 1})`);
    }
    result ??= await executor.execute(job, context);
  } finally {
    // Before the runner records the final output: no save of the tail may land after it.
    await tail.close();
  }
  if (signal.aborted && result.status === 'succeeded') {
    // The executor finished as the deadline hit; the deadline wins so timeouts are reliable.
    result = { ...result, status: outcomeOfAbort(signal), error: abortMessage(signal) };
  }
  if (!result.output) result = { ...result, output: tail.toString() };
  return { result, handle };
}
