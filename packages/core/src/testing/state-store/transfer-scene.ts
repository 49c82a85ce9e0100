import type { StateStore } from '../../interfaces/state-store.js';
import type { StateRecord } from '../../interfaces/state-transfer.js';
import { at, change, job, queue, sha, spec } from './fixtures.js';

/**
 * A store with some of everything it can keep, written through its own methods: seen
 * repositories (one without heads), heads with and without a deployed commit (and one deleted),
 * poll failures (one of a repository never seen), finished, failed, running-then-recovered and
 * queued runs with outputs, exit codes, attempts and executor handles, two runs created at the
 * same time (queue order then is insertion order), a run someone asked for and one someone asked
 * to cancel while it ran, and two paused units.
 */
export async function writeScene(store: StateStore): Promise<void> {
  await store.recordDetection({
    repositories: ['api', 'web', 'empty'],
    changes: [
      { ...change('api', 'main', null, 1), kind: 'baseline' },
      { ...change('api', 'dev', null, 2), kind: 'baseline' },
      { ...change('web', 'main', null, 3), kind: 'baseline' },
    ],
  });
  await store.recordDetection({ repositories: ['web'], changes: [change('web', 'old', null, 10)] });
  await store.recordDetection({ repositories: ['web'], changes: [change('web', 'old', 10, null)] });

  await queue(
    store,
    spec('run-1', [job('job-1', 'api', 'main', 5, 1)], { unit: 'repository:api', createdAt: at(10) }),
  );
  await store.updateRun('run-1', { status: 'running', startedAt: at(11) });
  // Asked to cancel while it ran; it succeeded before its engine acted on the request.
  await store.cancelRun('run-1', { by: 'dave@ops', at: at(12), reason: 'wrong “branch”' });
  await store.updateRun('run-1', { status: 'succeeded', finishedAt: at(13) });
  await store.updateJob('job-1', {
    status: 'succeeded',
    exitCode: 0,
    startedAt: at(11),
    finishedAt: at(13),
    durationMs: 1200,
    output: 'deployed api\n  with “unicode” and a tab\t\n',
    attempt: 1,
    handle: { executor: 'shell', pgid: 4242, startTime: at(11), stateDir: '/tmp/job-1' },
  });
  await store.markDeployed('api', 'main', sha(5));

  await queue(
    store,
    spec('run-2', [job('job-2', 'web', 'main', 6, 3), job('job-3', 'api', 'dev', 7, 2)], {
      unit: 'group:site',
      trigger: 'manual',
      createdAt: at(20),
      requestedBy: 'alice@laptop',
    }),
  );
  await store.updateRun('run-2', {
    status: 'failed',
    startedAt: at(21),
    finishedAt: at(22),
    error: '1 of 2 jobs failed',
  });
  await store.updateJob('job-2', {
    status: 'failed',
    exitCode: 3,
    startedAt: at(21),
    finishedAt: at(22),
    durationMs: 42,
    output: 'boom\n',
    error: 'Command 1 of 1 (./deploy.sh) failed with exit code 3',
    attempt: 1,
  });
  await store.updateJob('job-3', { status: 'skipped', error: 'not started: web (main) ended failed' });

  // Created at the same time as run-2: after it in queue order because it was inserted later.
  await queue(
    store,
    spec('run-4', [job('job-5', 'web', 'main', 9, 6)], {
      unit: 'group:site',
      trigger: 'webhook',
      createdAt: at(20),
    }),
  );
  await store.updateRun('run-4', { status: 'running', startedAt: at(23) });
  await store.updateJob('job-5', {
    status: 'running',
    startedAt: at(23),
    attempt: 1,
    handle: { executor: 'tekton', namespace: 'ci', name: 'pr-1', labels: { a: 'b' } },
  });
  await queue(
    store,
    spec('run-3', [job('job-4', 'api', 'feature', 8)], { unit: 'repository:api', createdAt: at(30) }),
  );
  // run-4 was running when "the process died": queued again, attempts 1, its job's handle kept.
  await store.recoverInterrupted({ now: at(40) });

  await store.recordPollFailure('web', { error: 'HTTP 502 from forge', at: at(41) });
  await store.recordPollFailure('web', { error: 'HTTP 503 from forge\nsecond line', at: at(42) });
  await store.recordPollFailure('gone', { error: 'repository not found', at: at(43) });
  await store.setPause('repository:api', { by: 'carol', at: at(44), reason: null });
  await store.setPause('group:site', { by: 'bob@ops', at: at(45), reason: 'release freeze' });
}

/** Every record of `store`, read to the end. */
export async function exportAll(store: StateStore): Promise<StateRecord[]> {
  const records: StateRecord[] = [];
  for await (const record of store.exportState!()) records.push(record);
  return records;
}
