import type { StateStore } from '../../interfaces/state-store.js';
import type { HeadChange, JobSpec, RunRecord, RunSpec, TriggerKind, UnitKey } from '../../types.js';

/** The store a test works on: each test gets a new one, and durability tests swap it for a reopened one. */
export interface StoreUnderTest {
  store: StateStore;
}

/** A 40-hex SHA that differs per `n`, readable in failure diffs. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}

/** Distinct, ordered timestamps: `at(1) < at(2)`. */
export function at(second: number): string {
  return new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();
}

export function job(
  id: string,
  repository: string,
  branch: string,
  to: number,
  from: number | null = null,
): JobSpec {
  return { id, repository, branch, sha: sha(to), previousSha: from === null ? null : sha(from) };
}

export function spec(
  id: string,
  jobs: JobSpec[],
  options: { unit?: UnitKey; trigger?: TriggerKind; createdAt?: string; requestedBy?: string } = {},
): RunSpec {
  return {
    id,
    unit: options.unit ?? 'group:web',
    trigger: options.trigger ?? 'poll',
    createdAt: options.createdAt ?? at(1),
    jobs,
    ...(options.requestedBy === undefined ? {} : { requestedBy: options.requestedBy }),
  };
}

export function change(
  repository: string,
  branch: string,
  before: number | null,
  after: number | null,
): HeadChange {
  const kind = before === null ? 'created' : after === null ? 'deleted' : 'updated';
  return {
    repository,
    branch,
    before: before === null ? null : sha(before),
    after: after === null ? null : sha(after),
    kind,
  };
}

/**
 * Records one run (with its heads) and returns it. Each change moves the head from what the
 * store holds, as the engine's would: a store several replicas share records only those.
 */
export async function queue(store: StateStore, run: RunSpec): Promise<RunRecord> {
  const changes: HeadChange[] = [];
  for (const j of run.jobs) {
    const stored = await store.getHeads(j.repository);
    const before = stored.heads.find((head) => head.branch === j.branch)?.sha ?? null;
    changes.push({
      ...change(j.repository, j.branch, null, Number.parseInt(j.sha, 16)),
      before,
      kind: before ? 'updated' : 'created',
    });
  }
  const result = await store.recordDetection({ repositories: [], changes, run });
  if (!result.run) throw new Error('recordDetection returned no run');
  return result.run;
}
