/**
 * How a replica drains a unit on a shared store (`store.coordination`), in place of reading its
 * queue: claim the unit and its next run, run it with every write fenced, heartbeat the claim,
 * give the unit back, and again until nothing waits. Runs of one unit therefore never overlap
 * across replicas, and a replica that dies loses its claim after the lease, when another one
 * recovers the run (the claim does: `Coordination.claimRun`).
 *
 * A claim that cannot be renewed for two thirds of a lease (the store is unreachable) or that
 * another replica took over ends the run here at once: its jobs are cancelled, before the lease
 * lapses on the store's clock and another replica may start them again. What the run would record
 * after that is refused by the fence (`CLAIM_LOST`), which this drain expects and logs.
 */
import { errorMessage, isSentryError } from '../errors.js';
import type { ClaimFence, Coordination, RunClaim } from '../interfaces/coordination.js';
import type { StateStore } from '../interfaces/state-store.js';
import { claimLostError } from '../state/rules/errors.js';
import { timerDelay } from '../timer-delay.js';
import type { UnitKey } from '../types.js';
import { executeRun, type RunnerDeps } from './runner.js';

export interface ClaimedRunsInput {
  coordination: Coordination;
  replica: string;
  leaseMs: number;
  policy: 'requeue' | 'fail';
  runner: RunnerDeps;
  /** Monotonic milliseconds. @default performance.now */
  now?: () => number;
}

/** The store with the claim's fence on each of the run's writes. */
export function withFence(store: StateStore, fence: ClaimFence): StateStore {
  return Object.assign(Object.create(store) as StateStore, {
    updateRun: (id: string, patch: Parameters<StateStore['updateRun']>[1]) =>
      store.updateRun(id, patch, fence),
    updateJob: (id: string, patch: Parameters<StateStore['updateJob']>[1]) =>
      store.updateJob(id, patch, fence),
    markDeployed: (repository: string, branch: string, sha: string) =>
      store.markDeployed(repository, branch, sha, fence),
  });
}

function isClaimLost(error: unknown): boolean {
  return isSentryError(error) && error.code === 'CLAIM_LOST';
}

/** Drains `unit` through claims until it has nothing waiting, another replica holds it, or `halted()`. */
export function createClaimedDrain(
  input: ClaimedRunsInput,
): (unit: UnitKey, halted: () => boolean) => Promise<void> {
  const { coordination, replica, leaseMs, runner } = input;
  const now = input.now ?? (() => performance.now());
  const log = runner.logger;

  /** Renews every third of a lease; aborts `lost` when the claim is gone or cannot be renewed in time. */
  function heartbeat(claim: RunClaim, lost: AbortController): () => void {
    let lastRenewalSentAt = now();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const beat = async () => {
      const sentAt = now();
      try {
        if (await coordination.renewClaim(claim, leaseMs)) lastRenewalSentAt = sentAt;
        else lost.abort(claimLostError(claim, `run ${claim.run.id}`));
      } catch (error) {
        if (now() - lastRenewalSentAt >= (leaseMs * 2) / 3) {
          lost.abort(
            claimLostError(
              claim,
              `run ${claim.run.id} (its claim could not be renewed: ${errorMessage(error)})`,
            ),
          );
        }
      }
      if (!stopped && !lost.signal.aborted) timer = setTimeout(beat, timerDelay(leaseMs / 3));
    };
    timer = setTimeout(beat, timerDelay(leaseMs / 3));
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  async function runClaimed(claim: RunClaim): Promise<void> {
    const lost = new AbortController();
    const stopBeating = heartbeat(claim, lost);
    const deps: RunnerDeps = {
      ...runner,
      store: withFence(runner.store, claim),
      shutdownSignal: AbortSignal.any([runner.shutdownSignal, lost.signal]),
    };
    try {
      await executeRun(deps, claim.run.id);
    } catch (error) {
      if (!isClaimLost(error) && !lost.signal.aborted) throw error;
      lost.abort(error);
      log.warn(
        { runId: claim.run.id, unit: claim.unit, replica },
        `run ${claim.run.id} of ${claim.unit}: this replica lost its claim, another one goes on with it (${errorMessage(lost.signal.reason)})`,
      );
    } finally {
      stopBeating();
    }
    if (!lost.signal.aborted) await coordination.releaseClaim(claim);
  }

  return async function drain(unit, halted) {
    while (!halted()) {
      const claim = await coordination.claimRun(unit, replica, {
        leaseMs,
        policy: input.policy,
        now: new Date().toISOString(),
      });
      if (!claim) return;
      if (claim.recovered) {
        log.warn(
          { runId: claim.run.id, unit, replica },
          `run ${claim.run.id} of ${unit} was left unfinished by a replica that stopped renewing its claim: ${replica} goes on with it`,
        );
      }
      await runClaimed(claim);
    }
  };
}
