import type { RepositoryHeads } from '../interfaces/state-store.js';
import type { BranchHead, HeadChange } from '../types.js';

/**
 * Compares what a provider reports now with what the store saw last. The first sighting of a
 * repository is a baseline; after that a new matching branch is `created`, a moved one `updated`,
 * a vanished one `deleted`. Stored heads that no longer match the patterns (the config changed)
 * are left alone rather than reported deleted.
 */
export function detectChanges(
  repository: string,
  stored: RepositoryHeads,
  current: readonly BranchHead[],
  matches: (branch: string) => boolean,
  /** `stored`'s SHA per branch, when the caller has it built already (it is read, not changed). */
  before: ReadonlyMap<string, string> = new Map(stored.heads.map((head) => [head.branch, head.sha])),
): HeadChange[] {
  const changes: HeadChange[] = [];
  const seenNow = new Set<string>();
  for (const { branch, sha } of current) {
    if (!matches(branch) || seenNow.has(branch)) continue;
    seenNow.add(branch);
    const previous = before.get(branch);
    if (!stored.seen) changes.push({ repository, branch, before: null, after: sha, kind: 'baseline' });
    else if (previous === undefined)
      changes.push({ repository, branch, before: null, after: sha, kind: 'created' });
    else if (previous !== sha)
      changes.push({ repository, branch, before: previous, after: sha, kind: 'updated' });
  }
  for (const [branch, sha] of before) {
    if (!seenNow.has(branch) && matches(branch))
      changes.push({ repository, branch, before: sha, after: null, kind: 'deleted' });
  }
  return changes;
}

/** Whether a change starts a deploy: created and updated heads do (unless filtered out); deletions never; baselines only when asked. */
export function isDeployable(change: HeadChange, deployOnFirstSight: boolean): boolean {
  if (change.skipped) return false;
  if (change.kind === 'created' || change.kind === 'updated') return true;
  return change.kind === 'baseline' && deployOnFirstSight;
}
