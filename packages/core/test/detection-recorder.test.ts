import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { createDetectionRecorder } from '../src/engine/detection-recorder.js';
import { branchMatchers } from '../src/engine/poll-cycle.js';
import { createEventBus, type SentryEvents } from '../src/events.js';
import { silentLogger } from '../src/logging.js';
import { createRedactor } from '../src/redact.js';
import { createMemoryStateStore } from '../src/state/memory.js';
import { startPoll } from './start-poll.js';

const SHA = (digit: string) => digit.repeat(40);

function setup(names: string[] = ['app']) {
  const { config } = resolveConfig(
    {
      state: { driver: 'memory' },
      repositories: names.map((name) => ({
        name,
        monitor: { repo_url: `https://forge.invalid/${name}.git`, repo_type: 'git', branches: ['main'] },
        deploy: { commands: ['true'] },
      })),
    },
    { env: {} },
  );
  const store = createMemoryStateStore();
  const bus = createEventBus(createRedactor([]));
  const events: Array<{ name: string; payload: unknown }> = [];
  for (const name of ['baseline', 'change', 'run:queued'] as const)
    bus.on(name, (payload: SentryEvents[typeof name]) => events.push({ name, payload }));
  const queuedUnits: string[] = [];
  const recorder = createDetectionRecorder({
    config,
    store,
    bus,
    logger: silentLogger(),
    matchers: branchMatchers(config.repositories),
    onQueued: (unit) => queuedUnits.push(unit),
  });
  const repo = (name: string) => config.repositories.find((r) => r.name === name)!;
  return { config, store, recorder, events, queuedUnits, repo };
}

describe('the detection recorder', () => {
  it('a trigger and a poll racing on one unit record once, in ticket order', async () => {
    const { store, recorder, events, queuedUnits, repo } = setup();
    const app = repo('app');
    // A scheduled poll starts first (the repository is not seen yet) and is slow to record.
    const slowPoll = await startPoll(recorder, store, app, SHA('a'));
    // A manual trigger meanwhile reads fresh heads (nothing stored) and records them.
    const run = await recorder.recordTrigger('repository:app', [app], 'manual', (r) =>
      startPoll(recorder, store, r, SHA('a')),
    );
    expect(run?.trigger).toBe('manual');
    expect(run?.jobs.map((job) => job.sha)).toEqual([SHA('a')]);
    // The earlier poll is overtaken by the trigger's later read: dropped, not a second baseline.
    const recorded = await recorder.recordPolls('repository:app', [slowPoll], 'poll');
    expect(recorded).toEqual({ run: null, changed: 0, stale: [] });
    expect(events.filter((event) => event.name === 'baseline')).toHaveLength(1);
    expect(events.filter((event) => event.name === 'run:queued')).toHaveLength(1);
    expect(queuedUnits).toEqual(['repository:app']);
    expect((await store.listRuns({ unit: 'repository:app' })).map((r) => r.id)).toEqual([run!.id]);
  });

  it('a poll that started before a record it did not see compares again with the store', async () => {
    const { store, recorder, events, repo } = setup();
    const app = repo('app');
    await recorder.recordPolls('repository:app', [await startPoll(recorder, store, app, SHA('a'))], 'poll');
    // Two polls start, both seeing A stored; the one that started later records B first.
    const first = await startPoll(recorder, store, app, SHA('b'));
    const second = await startPoll(recorder, store, app, SHA('c'));
    const later = await recorder.recordPolls('repository:app', [second], 'poll');
    expect(later.changed).toBe(1);
    // The earlier one is stale: it would move the head backwards from C to B.
    expect(await recorder.recordPolls('repository:app', [first], 'poll')).toEqual({
      run: null,
      changed: 0,
      stale: [],
    });
    expect((await store.getHeads('app')).heads.map((head) => head.sha)).toEqual([SHA('c')]);
    // A poll started before C was recorded but finding C again (moved): compared again, nothing new.
    const third = await startPoll(recorder, store, app, SHA('c'));
    const fourth = await startPoll(recorder, store, app, SHA('d'));
    await recorder.recordPolls('repository:app', [fourth], 'poll');
    expect(await recorder.recordPolls('repository:app', [third], 'poll')).toEqual({
      run: null,
      changed: 0,
      stale: [],
    });
    const changes = events.filter((event) => event.name === 'change').map((event) => event.payload);
    expect(changes).toMatchObject([
      { branch: 'main', before: SHA('a'), after: SHA('c') },
      { branch: 'main', before: SHA('c'), after: SHA('d') },
    ]);
  });

  it('records a unit one at a time: a trigger waits for the poll recording before it', async () => {
    const { store, recorder, repo } = setup();
    const app = repo('app');
    await recorder.recordPolls('repository:app', [await startPoll(recorder, store, app, SHA('a'))], 'poll');
    const moved = await startPoll(recorder, store, app, SHA('b'));
    // Both enter the unit's queue at once: the poll first, so the trigger deploys B, not A.
    const [polled, triggered] = await Promise.all([
      recorder.recordPolls('repository:app', [moved], 'poll'),
      recorder.recordTrigger('repository:app', [app], 'manual', () => {
        throw new Error('heads are stored: no fresh read');
      }),
    ]);
    expect(polled.run?.jobs.map((job) => job.sha)).toEqual([SHA('b')]);
    expect(triggered?.jobs.map((job) => job.sha)).toEqual([SHA('b')]);
  });

  it('a trigger whose fresh read fails rejects with the poll’s error and records nothing', async () => {
    const { store, recorder, events, repo } = setup();
    const app = repo('app');
    const failure = new Error('forge unreachable');
    await expect(
      recorder.recordTrigger('repository:app', [app], 'manual', async (r) => ({
        ticket: recorder.ticket(r.name),
        outcome: { ok: false, repo: r, provider: 'git', error: failure },
      })),
    ).rejects.toBe(failure);
    expect(events).toEqual([]);
    expect((await store.getHeads('app')).seen).toBe(false);
  });
});
