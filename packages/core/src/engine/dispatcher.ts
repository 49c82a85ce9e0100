/**
 * Stage 4 of the pipeline: the dispatcher.
 *
 * Takes: units that have a queued run (`kick`, from the recorder and from recovery).
 * Promises: one lane per unit (lanes.ts), so runs of a unit never overlap while units run side
 * by side; a lane runs the unit's oldest queued run (`nextQueuedRun`) through the runner
 * (runner.ts: jobs, strategy, results, events) until none is queued. On stop it starts nothing
 * new, gives running jobs the grace period, then cancels them (saying why), and resolves once
 * every lane is idle.
 * On a shared store (several replicas) a lane claims the unit and its run instead of reading the
 * queue (claimed-runs.ts), and `sweep` claims the units whose work no replica does.
 * A paused unit's queued run does not start: here the lane checks the pauses before each run and
 * holds the unit until it is resumed (`kick`, or a resume another process wrote, control-watch.ts);
 * on a shared store `claimRun` refuses it. `cancel` aborts a run running here; a cancel request
 * another process wrote to the store is found the same way (control-watch.ts).
 * Hands to the executor: each run, through `executeRun`.
 */
import { ShutdownError } from '../abort.js';
import type { SentryConfig } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import { plural } from '../plural.js';
import type { Redactor } from '../redact.js';
import { timerDelay } from '../timer-delay.js';
import type { ActionStamp, UnitKey } from '../types.js';
import { createClaimedDrain } from './claimed-runs.js';
import { createControlWatch } from './control-watch.js';
import { createLanes } from './lanes.js';
import { createLiveOutputs } from './live-output.js';
import { executeRun } from './runner.js';

export interface Dispatcher {
  /** Wakes the unit's lane (idempotent while it is busy); ignored once stopping. */
  kick(unit: UnitKey): void;
  /**
   * Runs a crash or stop left unfinished: queued again or failed (`global.recover`), then
   * dispatched. On a shared store: `sweep` (a claim recovers a run when its owner's lapses).
   */
  recover(): Promise<void>;
  /** On a shared store: wakes the lane of every unit with work and no live claim. */
  sweep(): Promise<void>;
  /** Resolves when no lane is busy. */
  idle(): Promise<void>;
  /** Starts no further run (the lanes finish the one they are running). */
  halt(): void;
  /** After `halt()`: waits for running runs up to `graceMs`, then cancels them; resolves when idle. */
  finish(options: { graceMs: number; reason?: string }): Promise<void>;
  /** Cancels a run running here (its jobs end cancelled); false when it does not run here. */
  cancel(runId: string, request: ActionStamp): boolean;
  /** The redacted output so far of a job running here; undefined when it does not run here. */
  outputOf(jobId: string): string | undefined;
  /** Stops following jobs (close). */
  detach(): void;
}

export interface DispatcherInput {
  config: SentryConfig;
  store: StateStore;
  registry: Registry;
  bus: EventBus;
  logger: Logger;
  redactor: Redactor;
  /** On a shared store: this replica (its id, and the lease of its claims). */
  shared?: { readonly id: string; readonly leaseMs: number } | undefined;
}

export function createDispatcher(input: DispatcherInput): Dispatcher {
  const { config, store, bus, logger } = input;
  const shutdown = new AbortController();
  let halted = false;
  const control = createControlWatch({
    store,
    logger,
    kick(unit) {
      if (!halted) lanes.kick(unit);
    },
  });
  const live = createLiveOutputs(input.redactor);
  const runnerDeps = { ...input, shutdownSignal: shutdown.signal, running: control.running, live };
  // Jobs started and not finished, so that a stop can say how many it cancels.
  const runningJobs = new Set<string>();
  const untrackJobs = [
    bus.on('job:start', ({ job }) => runningJobs.add(job.id)),
    bus.on('job:finish', ({ job }) => runningJobs.delete(job.id)),
  ];

  const coordination = input.shared ? store.coordination : undefined;
  const claimedDrain =
    coordination && input.shared
      ? createClaimedDrain({
          coordination,
          replica: input.shared.id,
          leaseMs: input.shared.leaseMs,
          policy: config.global.recover,
          runner: runnerDeps,
        })
      : undefined;

  async function drain(unit: UnitKey): Promise<void> {
    if (claimedDrain) return claimedDrain(unit, () => halted);
    while (!halted) {
      const next = await store.nextQueuedRun(unit);
      if (!next) return;
      if ((await store.listPauses()).some((pause) => pause.unit === unit)) return control.hold(unit);
      await executeRun(runnerDeps, next.id);
    }
  }
  const lanes = createLanes(drain, (unit, error) =>
    bus.emit('error', {
      error: error instanceof Error ? error : new Error(String(error)),
      context: `run of ${unit}`,
    }),
  );

  async function sweep(): Promise<void> {
    if (!coordination || halted) return;
    for (const unit of await coordination.unclaimedUnits()) lanes.kick(unit);
  }

  async function recover(): Promise<void> {
    if (coordination) return sweep();
    const recovery = await store.recoverInterrupted({ policy: config.global.recover });
    for (const run of recovery.requeued)
      logger.warn(
        { runId: run.id, unit: run.unit },
        `run ${run.id} left unfinished by an earlier process (crash or stop) is queued again`,
      );
    for (const run of recovery.failed)
      logger.warn(
        { runId: run.id, unit: run.unit },
        `run ${run.id} left unfinished by an earlier process (crash or stop) is marked failed`,
      );
    const queued = await store.listRuns({ status: 'queued', limit: 1000 });
    for (const unit of new Set(queued.map((run) => run.unit))) lanes.kick(unit);
  }

  async function finish({ graceMs, reason }: { graceMs: number; reason?: string }): Promise<void> {
    if (lanes.size > 0 && !shutdown.signal.aborted) {
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace'>((resolve) => {
        graceTimer = setTimeout(() => resolve('grace'), timerDelay(graceMs));
      });
      const outcome =
        graceMs > 0 ? await Promise.race([lanes.idle().then(() => 'idle' as const), graceOver]) : 'grace';
      clearTimeout(graceTimer);
      // An earlier or later stop() may have cancelled them meanwhile.
      if (outcome === 'grace' && !shutdown.signal.aborted) cancelRunningJobs(graceMs, reason);
    }
    await lanes.idle();
  }

  /** Aborts every running run, saying why: the grace period ran out, or there was none. */
  function cancelRunningJobs(graceMs: number, reason: string | undefined): void {
    const count = runningJobs.size;
    const what = count > 0 ? plural(count, 'running job', 'running jobs') : 'the runs in progress';
    const why =
      reason ??
      (graceMs > 0 ? `grace period of ${graceMs / 1000} s over` : 'stopping without a grace period');
    logger.warn(
      { graceMs, runningJobs: count, ...(reason ? { reason } : {}) },
      `${why}: cancelling ${what} now`,
    );
    const stopped = `sentry-git stopped${reason ? ` (${reason})` : ''}`;
    shutdown.abort(
      new ShutdownError(
        graceMs > 0
          ? `${stopped}: jobs still running after the ${graceMs / 1000} s grace period were cancelled`
          : `${stopped}: running jobs were cancelled without a grace period`,
      ),
    );
  }

  return {
    kick(unit) {
      if (!halted) lanes.kick(unit);
    },
    recover,
    sweep,
    idle: () => lanes.idle(),
    halt() {
      halted = true;
      control.release();
    },
    finish,
    cancel: (runId, request) => control.running.cancel(runId, request),
    outputOf: (jobId) => live.tail(jobId),
    detach() {
      for (const off of untrackJobs) off();
      control.detach();
    },
  };
}
