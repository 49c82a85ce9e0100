/**
 * Pausing and resuming a unit (a repository without a group, or a group). A pause is kept in the
 * state store, so it outlives a restart and every replica sees it: the unit is still polled and
 * its changes recorded (its queued runs merge into one), but no run of it starts (the dispatcher
 * holds it; on a shared store `claimRun` refuses it). A run already running goes on. Resuming
 * forgets the pause and kicks the unit, so what waited starts at once here; an engine in another
 * process notices within a few seconds (control-watch.ts).
 */
import type { SentryConfig } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { PauseRecord, UnitKey } from '../types.js';
import { actionStamp, emitAction } from './actions.js';
import type { ActorOptions, PauseTarget, ResumeResult } from './requests.js';
import { pauseUnit } from './targets.js';

export interface PauseControlInput {
  config: SentryConfig;
  store: StateStore;
  bus: EventBus;
  /** Wakes the unit's lane when this engine runs work (not in a CLI that only writes the store). */
  kick(unit: UnitKey): void;
}

export interface PauseControl {
  pause(target: PauseTarget, options: ActorOptions): Promise<PauseRecord>;
  resume(target: PauseTarget, options: ActorOptions): Promise<ResumeResult>;
  pauses(): Promise<PauseRecord[]>;
}

/** Runs waiting for a unit, read at a resume (a paused unit's runs merge, so there are few). */
const QUEUED_READ_LIMIT = 1000;

export function createPauseControl(input: PauseControlInput): PauseControl {
  const { config, store, bus } = input;

  async function pause(target: PauseTarget, options: ActorOptions): Promise<PauseRecord> {
    const unit = pauseUnit(config, target, 'pause');
    const stamp = actionStamp('pause', options);
    await store.setPause(unit, stamp);
    emitAction(bus, 'pause', stamp, unit, []);
    return { unit, ...stamp };
  }

  async function resume(target: PauseTarget, options: ActorOptions): Promise<ResumeResult> {
    const unit = pauseUnit(config, target, 'resume');
    const stamp = actionStamp('resume', options);
    const resumed = (await store.listPauses()).some((pause) => pause.unit === unit);
    if (resumed) await store.setPause(unit, null);
    // Oldest first: the order they start in.
    const queued = (await store.listRuns({ unit, status: 'queued', limit: QUEUED_READ_LIMIT })).reverse();
    input.kick(unit);
    emitAction(
      bus,
      'resume',
      stamp,
      unit,
      queued.map((run) => run.id),
    );
    return { unit, resumed, queued };
  }

  return { pause, resume, pauses: () => store.listPauses() };
}
