import type { PollHealth, StateStore } from '../interfaces/state-store.js';
import type {
  ImportStateOptions,
  ImportStateResult,
  StateCounts,
  StateRecord,
} from '../interfaces/state-transfer.js';
import type { HeadRecord, PauseRecord, RunRecord, UnitKey } from '../types.js';
import { checkStateRecords, isEmptyState, stateNotEmptyError } from './transfer/index.js';

/** A run as kept in memory: `seq` breaks ties of `createdAt` by insertion order. */
export interface StoredRun {
  record: RunRecord;
  seq: number;
}

/** The memory store's maps, which its export reads and its import fills. */
export interface MemoryState {
  heads: Map<string, Map<string, HeadRecord>>;
  /** Seen repository → when it was first seen. */
  seen: Map<string, string>;
  pollHealth: Map<string, PollHealth>;
  pauses: Map<UnitKey, PauseRecord>;
  runs: Map<string, StoredRun>;
  jobRuns: Map<string, string>;
  /** The next run's insertion number (queue order after `createdAt`). */
  seq: { next: number };
  /** Every run in queue order. */
  runsInQueueOrder(): RunRecord[];
  assertOpen(): void;
}

type Transfer = Required<Pick<StateStore, 'exportState' | 'importState'>>;

/** `exportState` and `importState` of the memory store. */
export function memoryTransfer(state: MemoryState): Transfer {
  return {
    async *exportState(): AsyncGenerator<StateRecord> {
      state.assertOpen();
      // Copied at once, before the first record is handed out: a snapshot, whatever the caller
      // writes while it iterates.
      yield* snapshot(state);
    },

    async importState(
      records: AsyncIterable<StateRecord> | Iterable<StateRecord>,
      options: ImportStateOptions = {},
    ): Promise<ImportStateResult> {
      state.assertOpen();
      assertMayImport(state, options);
      // Staged aside and applied only once every record passed: the memory store's transaction.
      const staged: StateRecord[] = [];
      const checked = checkStateRecords(records);
      let next = await checked.next();
      for (; !next.done; next = await checked.next()) staged.push(next.value);
      state.assertOpen();
      const replaced = assertMayImport(state, options);
      if (replaced) clear(state);
      for (const record of staged) apply(state, record);
      return { imported: next.value, replaced };
    },
  };
}

/** What the store holds, or null when empty; throws `STATE_NOT_EMPTY` unless `replace`. */
function assertMayImport(state: MemoryState, options: ImportStateOptions): StateCounts | null {
  let heads = 0;
  for (const branches of state.heads.values()) heads += branches.size;
  const held: StateCounts = {
    repositories: state.seen.size,
    heads,
    pollHealth: state.pollHealth.size,
    pauses: state.pauses.size,
    runs: state.runs.size,
    jobs: state.jobRuns.size,
  };
  if (isEmptyState(held)) return null;
  if (!options.replace) throw stateNotEmptyError('memory', held);
  return held;
}

function clear(state: MemoryState): void {
  state.heads.clear();
  state.seen.clear();
  state.pollHealth.clear();
  state.pauses.clear();
  state.runs.clear();
  state.jobRuns.clear();
}

function apply(state: MemoryState, record: StateRecord): void {
  if (record.type === 'repository') state.seen.set(record.name, record.seenAt);
  else if (record.type === 'head') {
    const { type: _type, ...head } = record;
    let branches = state.heads.get(head.repository);
    if (!branches) {
      branches = new Map();
      state.heads.set(head.repository, branches);
    }
    branches.set(head.branch, head);
  } else if (record.type === 'pollHealth') {
    const { type: _type, repository, ...health } = record;
    state.pollHealth.set(repository, health);
  } else if (record.type === 'pause') {
    const { type: _type, ...pause } = record;
    state.pauses.set(pause.unit, pause);
  } else {
    const { type: _type, ...run } = record;
    state.runs.set(run.id, { record: run, seq: state.seq.next++ });
    for (const job of run.jobs) state.jobRuns.set(job.id, run.id);
  }
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function snapshot(state: MemoryState): StateRecord[] {
  const records: StateRecord[] = [];
  for (const [name, seenAt] of [...state.seen].sort(([a], [b]) => byText(a, b)))
    records.push({ type: 'repository', name, seenAt });
  for (const repository of [...state.heads.keys()].sort(byText)) {
    const branches = state.heads.get(repository)!;
    for (const branch of [...branches.keys()].sort(byText))
      records.push({ type: 'head', ...structuredClone(branches.get(branch)!) });
  }
  for (const [repository, health] of [...state.pollHealth].sort(([a], [b]) => byText(a, b))) {
    records.push({
      type: 'pollHealth',
      repository,
      consecutiveFailures: health.consecutiveFailures,
      lastError: health.lastError ?? '',
      lastErrorAt: health.lastErrorAt ?? '',
      failingSince: health.failingSince ?? '',
    });
  }
  for (const unit of [...state.pauses.keys()].sort(byText))
    records.push({ type: 'pause', ...structuredClone(state.pauses.get(unit)!) });
  for (const run of state.runsInQueueOrder()) records.push({ type: 'run', ...structuredClone(run) });
  return records;
}
