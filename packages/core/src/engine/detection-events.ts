import type { RepositoryConfig, SentryConfig } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { DetectionInput, DetectionResult } from '../interfaces/state-store.js';
import type { HeadChange } from '../types.js';

/**
 * What a recorded detection tells subscribers: `baseline` for each repository seen for the first
 * time, `change` for each head that moved. Changes a shared store dropped (another replica
 * recorded them first, and said so) are left out: that replica announced them.
 */
export interface DetectionEventsInput {
  bus: EventBus;
  config: SentryConfig;
  repositories: ReadonlyMap<string, RepositoryConfig>;
}

export function emitDetection(
  input: DetectionEventsInput,
  detection: DetectionInput,
  result: DetectionResult,
): void {
  const dropped = new Set(result.dropped?.changes ?? []);
  const recorded =
    dropped.size > 0 ? detection.changes.filter((change) => !dropped.has(change)) : detection.changes;
  // A repository another replica saw first: that replica announced its baseline.
  const seenElsewhere = new Set(
    [...dropped].filter((change) => change.kind === 'baseline').map((change) => change.repository),
  );
  for (const repository of detection.repositories)
    if (!seenElsewhere.has(repository)) emitBaseline(input, repository, recorded);
  for (const change of recorded) emitChange(input, change);
}

/** A repository seen for the first time: the heads its baseline holds (maybe none). */
function emitBaseline(input: DetectionEventsInput, repository: string, changes: readonly HeadChange[]): void {
  const heads = changes
    .filter((change) => change.repository === repository && change.kind === 'baseline' && change.after)
    .map((change) => ({ branch: change.branch, sha: change.after! }))
    .sort((a, b) => a.branch.localeCompare(b.branch));
  input.bus.emit('baseline', {
    repository,
    group: input.repositories.get(repository)?.group ?? null,
    heads,
    deploy: input.config.global.deploy_on_first_sight && heads.length > 0,
  });
}

function emitChange(input: DetectionEventsInput, change: HeadChange): void {
  if (change.kind === 'baseline') return;
  input.bus.emit('change', {
    repository: change.repository,
    group: input.repositories.get(change.repository)?.group ?? null,
    branch: change.branch,
    before: change.before,
    after: change.after,
    kind: change.kind,
    ...(change.skipped ? { skipped: change.skipped } : {}),
  });
}
