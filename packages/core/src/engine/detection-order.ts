import type { RepositoryConfig } from '../config/schema.js';
import type { RepositoryHeads } from '../interfaces/state-store.js';
import type { BranchHead, HeadChange } from '../types.js';
import { detectChanges } from './detector.js';
import type { PollOutcome } from './poll.js';

/**
 * Polls of one repository may overlap (a webhook's poll beside a scheduled cycle) and finish in
 * any order. Each poll takes a ticket when it starts; when it comes to record, a poll that
 * started before one already recorded saw an older forge and is dropped, and one that started
 * before a record it did not see compares again with what is stored now. Together with recording
 * one unit at a time, a SHA found by two polls deploys once and a head never moves backwards.
 */
export interface PollTicket {
  /** Order of the poll's start among all polls. */
  seq: number;
  /** How many records of this repository the poll had seen when it started. */
  version: number;
}

/** A poll's outcome with the ticket it took when it started. */
export interface Polled {
  outcome: PollOutcome;
  ticket: PollTicket;
}

/** A successful poll as it stands against the store now (the recorder settles it in the unit's lock). */
export interface SettledMember {
  repo: RepositoryConfig;
  changes: HeadChange[];
  wasSeen: boolean;
  heads: BranchHead[];
  ticket: PollTicket;
}

export type TicketVerdict = 'current' | 'moved' | 'stale';

export interface DetectionOrder {
  /** Taken just before the poll reads the stored heads. */
  ticket(repository: string): PollTicket;
  /** current: nothing recorded since the poll started; moved: something was, but it started earlier; stale: a later poll already recorded. */
  judge(repository: string, ticket: PollTicket): TicketVerdict;
  /** The poll's result is settled: `wrote` when the store changed (a later poll that started before must compare again). */
  recorded(repository: string, ticket: PollTicket, wrote: boolean): void;
}

export function createDetectionOrder(): DetectionOrder {
  let started = 0;
  const book = new Map<string, { version: number; newestSeq: number }>();
  const entry = (repository: string) => {
    let found = book.get(repository);
    if (!found) {
      found = { version: 0, newestSeq: 0 };
      book.set(repository, found);
    }
    return found;
  };
  return {
    ticket(repository) {
      started += 1;
      return { seq: started, version: entry(repository).version };
    },
    judge(repository, ticket) {
      const state = entry(repository);
      if (state.newestSeq > ticket.seq) return 'stale';
      return state.version === ticket.version ? 'current' : 'moved';
    },
    recorded(repository, ticket, wrote) {
      const state = entry(repository);
      if (wrote) state.version += 1;
      state.newestSeq = Math.max(state.newestSeq, ticket.seq);
    },
  };
}

/**
 * The common case of a poll cycle, settled without the unit's lock: when every successful poll
 * of a unit is current, of a repository already seen, and found no change, there is nothing to
 * write or compare again, and they are recorded as settled (nothing written). The caller must
 * know that no record of the unit is under way or waiting (its lock is idle): then judging here
 * is what the lock would do. Returns false, recording nothing, when any poll needs the lock.
 */
export function settleUnchanged(
  order: DetectionOrder,
  polled: readonly { outcome: PollOutcome; ticket: PollTicket }[],
): boolean {
  for (const { outcome, ticket } of polled) {
    if (!outcome.ok) continue;
    if (!outcome.wasSeen || outcome.changes.length > 0) return false;
    if (order.judge(outcome.repo.name, ticket) !== 'current') return false;
  }
  for (const { outcome, ticket } of polled) if (outcome.ok) order.recorded(outcome.repo.name, ticket, false);
  return true;
}

/**
 * The changes of a poll compared again with the heads stored now, keeping the filter verdicts
 * (skip markers, path filters) the poll reached for the same new SHA.
 */
export function rebaseChanges(
  repository: string,
  stored: RepositoryHeads,
  heads: readonly BranchHead[],
  matches: (branch: string) => boolean,
  polled: readonly HeadChange[],
): HeadChange[] {
  return detectChanges(repository, stored, heads, matches).map((change) => {
    const same = polled.find((old) => old.branch === change.branch && old.after === change.after);
    return same?.skipped ? { ...change, skipped: same.skipped } : change;
  });
}
