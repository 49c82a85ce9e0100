/**
 * One replica among several on a shared store (`store.coordination`): its part of the polls.
 *
 * Takes: the configured repositories, the lease (`state.lease`) and the store's coordination.
 * Promises: every third of a lease it registers itself, counts the live replicas and balances
 * the poll leases to its fair share (repositories ÷ live replicas, rounded up), so polling
 * capacity grows with replicas and no replica polls everything; then `onRenewed` runs (the
 * dispatcher claims the runs nobody does). What it holds goes to `onAssign`: the scheduler polls
 * those and parks the rest. When the store has not answered for a whole lease since the last
 * renewal it sent, the replica holds nothing (another replica may have its repositories by
 * then) and says why (`problem`, for readiness) until the store answers again. It never exits
 * for a store failure.
 */
import { hostname } from 'node:os';
import type { SentryConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Coordination } from '../interfaces/coordination.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import { timerDelay } from '../timer-delay.js';

export interface Replica {
  readonly id: string;
  readonly leaseMs: number;
  /** The first registration and balance, before the first poll; a store failure is kept in `problem`, not thrown. */
  join(): Promise<void>;
  /** Renews every third of a lease until `leave`. */
  start(): void;
  /** Stops renewing and gives its leases and registration back (others take over at once). */
  leave(): Promise<void>;
  /** Why the replica cannot coordinate now (the store does not answer), or undefined. */
  problem(): string | undefined;
  /** The repositories it polls now. */
  held(): ReadonlySet<string>;
}

export interface ReplicaInput {
  coordination: Coordination;
  id: string;
  leaseMs: number;
  repositories: readonly string[];
  logger: Logger;
  /** The repositories this replica polls from now on, and those it just gained. */
  onAssign(held: ReadonlySet<string>, gained: readonly string[]): void;
  /** After each successful renewal. */
  onRenewed(): Promise<void>;
  /** Monotonic milliseconds. @default performance.now */
  now?: () => number;
}

export function createReplica(input: ReplicaInput): Replica {
  const { coordination, id, leaseMs, repositories, logger } = input;
  const now = input.now ?? (() => performance.now());
  let held: ReadonlySet<string> = new Set();
  let lastRenewalSentAt: number | undefined;
  let problem: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let left = false;
  let tick: Promise<void> = Promise.resolve();

  function assign(next: ReadonlySet<string>): void {
    const gained = [...next].filter((repository) => !held.has(repository));
    const changed = gained.length > 0 || next.size !== held.size;
    held = next;
    if (changed) input.onAssign(held, gained);
  }

  async function renew(): Promise<void> {
    const sentAt = now();
    try {
      const live = await coordination.heartbeat(id, leaseMs);
      const share = Math.ceil(repositories.length / Math.max(1, live.length));
      const polls = await coordination.balancePolls(id, repositories, share, leaseMs);
      if (left) return;
      lastRenewalSentAt = sentAt;
      if (problem) logger.info({ replica: id }, `replica ${id} reaches the state store again`);
      problem = undefined;
      assign(new Set(polls));
      await input.onRenewed();
    } catch (error) {
      if (left) return;
      if (!problem)
        logger.warn(
          { replica: id, error: errorMessage(error) },
          `replica ${id} cannot renew its leases: ${errorMessage(error)}`,
        );
      problem = `replica ${id} cannot reach the state store to renew its leases: ${errorMessage(error)}`;
      // Past its lease another replica may poll these: stop polling them until the store answers.
      if (lastRenewalSentAt === undefined || now() - lastRenewalSentAt >= leaseMs) assign(new Set());
    }
  }

  function schedule(): void {
    if (left) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        tick = renew().finally(schedule);
      },
      timerDelay(leaseMs / 3),
    );
  }

  return {
    id,
    leaseMs,
    join() {
      tick = renew();
      return tick;
    },
    start() {
      if (running || left) return;
      running = true;
      schedule();
    },
    async leave() {
      if (left) return;
      left = true;
      if (timer) clearTimeout(timer);
      await tick;
      assign(new Set());
      await coordination.leave(id).catch((error: unknown) => {
        logger.warn(
          { replica: id, error: errorMessage(error) },
          `replica ${id} could not give its leases back; they lapse in ${leaseMs / 1000} s`,
        );
      });
    },
    problem: () => problem,
    held: () => held,
  };
}

/**
 * The replica of an engine whose store several replicas share, or undefined for a store only
 * this engine uses (then nothing here runs: one process polls everything and holds the engine lock).
 */
export function replicaOf(
  store: StateStore,
  input: Omit<ReplicaInput, 'coordination' | 'id' | 'leaseMs' | 'repositories'> & {
    config: SentryConfig;
    id: string | undefined;
  },
): Replica | undefined {
  const coordination = store.coordination;
  if (!coordination) return undefined;
  const { config, id, ...rest } = input;
  return createReplica({
    ...rest,
    coordination,
    id: id ?? `${hostname()}-${process.pid}`,
    leaseMs: config.state.lease * 1000,
    repositories: config.repositories.map((repo) => repo.name),
  });
}
