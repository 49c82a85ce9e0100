import type { RepositoryConfig } from '../src/config/schema.js';
import type { DetectionRecorder, Polled } from '../src/engine/detection-recorder.js';
import { detectChanges } from '../src/engine/detector.js';
import type { StateStore } from '../src/interfaces/state-store.js';

/** A poll as the poller makes one: the ticket first, then the stored heads, then the forge's answer. */
export async function startPoll(
  recorder: DetectionRecorder,
  store: StateStore,
  repo: RepositoryConfig,
  sha: string,
): Promise<Polled> {
  const ticket = recorder.ticket(repo.name);
  const stored = await store.getHeads(repo.name);
  const heads = [{ branch: 'main', sha }];
  return {
    ticket,
    outcome: {
      ok: true,
      repo,
      provider: 'git',
      changes: detectChanges(repo.name, stored, heads, () => true),
      heads,
      wasSeen: stored.seen,
      stored,
    },
  };
}
