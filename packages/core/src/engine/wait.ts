import { SentryError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { RunRecord } from '../types.js';

/** Resolves with each run once it has finished (read back from the store). */
export function waitForRuns(bus: EventBus, store: StateStore, ids: readonly string[]): Promise<RunRecord[]> {
  return Promise.all(
    ids.map(
      (id) =>
        new Promise<RunRecord>((resolve, reject) => {
          // Subscribe before reading so a finish between the two is not missed.
          const off = bus.on('run:finish', ({ run }) => {
            if (run.id !== id) return;
            off();
            store.getRun(id).then((fresh) => resolve(fresh ?? run), reject);
          });
          store.getRun(id).then((run) => {
            if (!run) {
              off();
              reject(new SentryError('STATE_NOT_FOUND', `No run ${id}.`));
            } else if (run.status !== 'queued' && run.status !== 'running') {
              off();
              resolve(run);
            }
          }, reject);
        }),
    ),
  );
}
