/**
 * What the dispatcher learns from the store rather than from a call in this process: a cancel
 * request for a run running here, written by another replica or by a CLI without a server
 * (`StateStore.cancelRun`), and the resume of a unit it holds back because it was paused,
 * written the same way. Every CHECK_MS while there is something to watch (a run running here, a
 * unit held), one read of the running runs and one of the pauses; no timer while idle.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import { timerDelay } from '../timer-delay.js';
import type { RunRecord, UnitKey } from '../types.js';
import { createRunningRuns, type RunningRuns } from './running-runs.js';

/** How often the store is read for cancel requests and resumes made elsewhere. */
export const CONTROL_CHECK_MS = 2000;

/** Runs read per check; a run running here beyond them is read by its id. */
const RUNNING_READ_LIMIT = 500;

export interface ControlWatch {
  /** The runs running here, each with its cancel; watched while any runs. */
  readonly running: RunningRuns;
  /** A unit whose queued run waits for a resume: kicked once its pause is gone from the store. */
  hold(unit: UnitKey): void;
  /** Forgets the held units (the engine stops: they start at the next start). */
  release(): void;
  /** Stops checking for good (close). */
  detach(): void;
}

export interface ControlWatchInput {
  store: StateStore;
  logger: Logger;
  kick(unit: UnitKey): void;
  /** @default CONTROL_CHECK_MS */
  intervalMs?: number;
}

export function createControlWatch(input: ControlWatchInput): ControlWatch {
  const { store, logger } = input;
  const running = createRunningRuns(() => watch());
  const held = new Set<UnitKey>();
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let detached = false;
  // One warning per streak of failed reads, not one every two seconds.
  let failing = false;

  async function cancelRequested(): Promise<void> {
    const here = running.uncancelled();
    if (here.length === 0) return;
    const listed = await store.listRuns({ status: 'running', limit: RUNNING_READ_LIMIT });
    const byId = new Map(listed.map((run) => [run.id, run]));
    for (const id of here) {
      const run: RunRecord | null | undefined =
        byId.get(id) ?? (listed.length < RUNNING_READ_LIMIT ? undefined : await store.getRun(id));
      if (run?.cancelRequest) running.cancel(id, run.cancelRequest);
    }
  }

  async function resumed(): Promise<void> {
    if (held.size === 0) return;
    const paused = new Set((await store.listPauses()).map((pause) => pause.unit));
    for (const unit of [...held]) {
      if (paused.has(unit)) continue;
      held.delete(unit);
      input.kick(unit);
    }
  }

  async function check(): Promise<void> {
    timer = undefined;
    checking = true;
    try {
      await cancelRequested();
      await resumed();
      failing = false;
    } catch (error) {
      // After close the store is gone; nothing is left to watch.
      if (!failing && !detached)
        logger.warn(
          { error: errorMessage(error) },
          `could not read cancel requests and pauses from the state store: ${errorMessage(error)}`,
        );
      failing = true;
    } finally {
      checking = false;
    }
    watch();
  }

  function watch(): void {
    if (detached || timer || checking || (running.size === 0 && held.size === 0)) return;
    timer = setTimeout(() => void check(), timerDelay(input.intervalMs ?? CONTROL_CHECK_MS));
    // Watching alone keeps no process alive: a running run or a start() does.
    timer.unref();
  }

  return {
    running,
    hold(unit) {
      held.add(unit);
      watch();
    },
    release: () => held.clear(),
    detach() {
      detached = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
