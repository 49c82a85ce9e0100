import type { DetectionInput, DetectionResult, RepositoryHeads } from '../../interfaces/state-store.js';
import type { HeadChange } from '../../types.js';

/** The stored heads of a detection's repositories, read (and locked) in its transaction. */
export type StoredHeadsView = ReadonlyMap<string, RepositoryHeads>;

/**
 * Which changes of a detection still apply, for a store several replicas write: a change is
 * recorded only when the stored head is still its `before` (a new branch: no stored head; a
 * baseline: a repository not yet seen). This compare-and-set on the head's key is what makes a
 * detected SHA recorded once when two replicas (or a webhook's poll and a scheduled one) saw it:
 * the first records it, the second finds the head already moved. The jobs of dropped changes
 * leave the run; a run left without jobs is not queued.
 *
 * A dropped change whose stored head is neither its `before` nor its `after` was read from a
 * head that moved on, and its repository is `stale`: the engine polls it again against what is
 * stored. Never does a replica with an older view move a head backwards.
 */
export function admitChanges(
  input: DetectionInput,
  stored: StoredHeadsView,
): { input: DetectionInput; dropped: NonNullable<DetectionResult['dropped']> | undefined } {
  const dropped: HeadChange[] = [];
  const stale = new Set<string>();
  const admitted = input.changes.filter((change) => {
    const heads = stored.get(change.repository);
    const current = heads?.heads.find((head) => head.branch === change.branch)?.sha ?? null;
    const applies = change.kind === 'baseline' ? !heads?.seen : current === change.before;
    if (applies) return true;
    dropped.push(change);
    if (change.kind !== 'baseline' && current !== change.after) stale.add(change.repository);
    return false;
  });
  if (dropped.length === 0) return { input, dropped: undefined };
  const gone = new Set(dropped.map((change) => `${change.repository}\0${change.branch}`));
  const jobs = input.run?.jobs.filter((job) => !gone.has(`${job.repository}\0${job.branch}`)) ?? [];
  const { run: _run, ...rest } = input;
  return {
    input: {
      ...rest,
      changes: admitted,
      ...(input.run && jobs.length > 0 ? { run: { ...input.run, jobs } } : {}),
    },
    dropped: { changes: dropped, stale: [...stale] },
  };
}
