/**
 * Stage 3 of the pipeline: the detection recorder, the one place a detected change becomes
 * stored state, for polls and manual triggers alike.
 *
 * Takes: polls of a unit's repositories, each with the ticket it took when it started
 * (`ticket` → `recordPolls`), or a run someone asked for (detection-requests.ts): a trigger of a
 * unit (`recordTrigger`) or a run of chosen commits, a re-run or a deploy (`recordRequested`),
 * which read fresh heads through the poller only where none are stored.
 * Promises: one unit records at a time, in the order its polls started (ticket → settle →
 * commit → recorded): a poll overtaken by a later record is dropped, one that missed a record
 * is compared again with the store, so a SHA found twice deploys once and a head never moves
 * backwards. Heads and the run that deploys them are written in one transaction; then
 * `baseline`, `change` and `run:queued` are emitted. Polls that found nothing new while no record
 * of their unit is under way are settled at once, without the lock (settleUnchanged).
 * Hands to the dispatcher: the unit of every queued run, through `onQueued`.
 */
import type { SentryConfig } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { DetectionInput, DetectionResult, StateStore } from '../interfaces/state-store.js';
import { createKeyedQueue } from '../keyed-queue.js';
import type { HeadChange, RunRecord, TriggerKind, UnitKey } from '../types.js';
import { emitDetection } from './detection-events.js';
import {
  createDetectionOrder,
  type Polled,
  type PollTicket,
  rebaseChanges,
  type SettledMember,
  settleUnchanged,
} from './detection-order.js';
import { createRequestRecorder, newRun, type RequestRecorder } from './detection-requests.js';
import { isDeployable } from './detector.js';
import { jobSpec } from './ids.js';

export type { Polled } from './detection-order.js';

export interface RecordedPolls {
  /** The run queued or merged into, if anything deployable changed. */
  run: RunRecord | null;
  /** Changes recorded, baselines left out. */
  changed: number;
  /** Repositories whose stored heads another replica moved since the poll read them: poll them again. */
  stale: string[];
}

export interface DetectionRecorder extends RequestRecorder {
  /** Taken by the poller just before a poll reads the stored heads. */
  ticket(repository: string): PollTicket;
  /** One unit's polls: heads and the run that deploys them, in one transaction. Never throws for a store failure (an `error` event). */
  recordPolls(unit: UnitKey, polled: readonly Polled[], trigger: TriggerKind): Promise<RecordedPolls>;
}

export interface DetectionRecorderInput {
  config: SentryConfig;
  store: StateStore;
  bus: EventBus;
  logger: Logger;
  matchers: ReadonlyMap<string, (branch: string) => boolean>;
  /** A run was queued (or merged into) for `unit`. */
  onQueued(unit: UnitKey): void;
}

export function createDetectionRecorder(input: DetectionRecorderInput): DetectionRecorder {
  const { config, store, bus, matchers } = input;
  const repositories = new Map(config.repositories.map((repo) => [repo.name, repo]));
  const order = new Map(config.repositories.map((repo, index) => [repo.name, index]));
  const detectionOrder = createDetectionOrder();
  const unitMutex = createKeyedQueue();

  /**
   * The successful polls of a unit as they stand against the store now (inside the unit's
   * mutex): a poll overtaken by a later one is dropped, one that missed a record is compared again.
   */
  async function settle(polled: readonly Polled[]): Promise<SettledMember[]> {
    const members: SettledMember[] = [];
    for (const { outcome, ticket } of polled) {
      if (!outcome.ok) continue;
      const name = outcome.repo.name;
      const verdict = detectionOrder.judge(name, ticket);
      if (verdict === 'stale') continue;
      const member = { repo: outcome.repo, ticket, heads: outcome.heads };
      if (verdict === 'current') {
        members.push({ ...member, changes: outcome.changes, wasSeen: outcome.wasSeen });
        continue;
      }
      const stored = await store.getHeads(name);
      const changes = rebaseChanges(name, stored, outcome.heads, matchers.get(name)!, outcome.changes);
      members.push({ ...member, changes, wasSeen: stored.seen });
    }
    return members;
  }

  /** Writes heads and the run in one transaction, then tells subscribers and hands the unit on. */
  async function commit(unit: UnitKey, detection: DetectionInput): Promise<DetectionResult> {
    const result = await store.recordDetection(detection);
    emitDetection({ bus, config, repositories }, detection, result);
    if (!result.run) return result;
    bus.emit('run:queued', { run: result.run, coalesced: result.coalesced });
    input.onQueued(unit);
    return result;
  }

  /** The run deploying a unit's changes: members in configuration order, then branches by name. */
  function runOf(unit: UnitKey, changes: readonly HeadChange[], trigger: TriggerKind) {
    const deployable = changes
      .filter((change) => isDeployable(change, config.global.deploy_on_first_sight))
      .sort(
        (a, b) =>
          (order.get(a.repository) ?? 0) - (order.get(b.repository) ?? 0) || a.branch.localeCompare(b.branch),
      );
    if (deployable.length === 0) return undefined;
    const jobs = deployable.map((change) =>
      jobSpec(change.repository, change.branch, change.after!, change.before),
    );
    return newRun(unit, trigger, jobs);
  }

  function recordPolls(
    unit: UnitKey,
    polled: readonly Polled[],
    trigger: TriggerKind,
  ): Promise<RecordedPolls> {
    // Most cycles find nothing new: with no record of the unit under way, skip the lock and settle.
    if (!unitMutex.busy(unit) && settleUnchanged(detectionOrder, polled)) {
      return Promise.resolve({ run: null, changed: 0, stale: [] });
    }
    return unitMutex.run(unit, async () => {
      const members = await settle(polled);
      const changes = members.flatMap((member) => member.changes);
      const newlySeen = members.filter((member) => !member.wasSeen).map((member) => member.repo.name);
      const wrote = changes.length > 0 || newlySeen.length > 0;
      let result: RecordedPolls = { run: null, changed: 0, stale: [] };
      if (wrote) {
        try {
          const detection = { repositories: newlySeen, changes, run: runOf(unit, changes, trigger) };
          const { run, dropped } = await commit(unit, detection);
          const recorded = dropped ? changes.filter((change) => !dropped.changes.includes(change)) : changes;
          const changed = recorded.filter((change) => change.kind !== 'baseline').length;
          result = { run, changed, stale: dropped?.stale ?? [] };
        } catch (error) {
          bus.emit('error', {
            error: error instanceof Error ? error : new Error(String(error)),
            context: `recording changes of ${unit}`,
          });
          return result;
        }
      }
      for (const member of members) detectionOrder.recorded(member.repo.name, member.ticket, wrote);
      return result;
    });
  }

  const requests = createRequestRecorder({
    store,
    logger: input.logger,
    matchers,
    exclusive: (unit, work) => unitMutex.run(unit, work),
    settle,
    commit,
    recorded: (repository, ticket, wrote) => detectionOrder.recorded(repository, ticket, wrote),
  });
  return { ticket: (repository) => detectionOrder.ticket(repository), recordPolls, ...requests };
}
