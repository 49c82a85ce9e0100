import { promiseGate } from '@sentry-git/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { createDetectionRecorder } from '../src/engine/detection-recorder.js';
import { branchMatchers } from '../src/engine/poll-cycle.js';
import { createEventBus } from '../src/events.js';
import type { StateStore } from '../src/interfaces/state-store.js';
import { silentLogger } from '../src/logging.js';
import { createRedactor } from '../src/redact.js';
import { createMemoryStateStore } from '../src/state/memory.js';
import { startPoll } from './start-poll.js';

/** Every use of a keyed queue's lock, by key: the recorder's unit lock among them. */
const lockUses = vi.hoisted(() => [] as string[]);
vi.mock('../src/keyed-queue.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/keyed-queue.js')>();
  return {
    ...original,
    createKeyedQueue() {
      const queue = original.createKeyedQueue();
      return {
        ...queue,
        run<T>(key: string, work: () => Promise<T>) {
          lockUses.push(key);
          return queue.run(key, work);
        },
      };
    },
  };
});

const SHA = (digit: string) => digit.repeat(40);
const UNIT = 'repository:app';

/** A recorder over a memory store whose next recordDetection can be held open. */
function setup() {
  const { config } = resolveConfig(
    {
      state: { driver: 'memory' },
      repositories: [
        {
          name: 'app',
          monitor: { repo_url: 'https://forge.invalid/app.git', repo_type: 'git', branches: ['main'] },
          deploy: { commands: ['true'] },
        },
      ],
    },
    { env: {} },
  );
  const memory = createMemoryStateStore();
  let hold: Promise<void> | undefined;
  const store: StateStore = {
    ...memory,
    getHeads: (repository) => memory.getHeads(repository),
    async recordDetection(detection) {
      if (hold) await hold;
      return memory.recordDetection(detection);
    },
  };
  const recorder = createDetectionRecorder({
    config,
    store,
    bus: createEventBus(createRedactor([])),
    logger: silentLogger(),
    matchers: branchMatchers(config.repositories),
    onQueued: () => {},
  });
  const app = config.repositories[0]!;
  return {
    store,
    recorder,
    app,
    holdNextWrite(gate: Promise<void>) {
      hold = gate;
    },
  };
}

describe('the detection recorder with nothing new', () => {
  it('records an unchanged poll of a seen repository without the unit’s lock, and still orders later polls by it', async () => {
    const { store, recorder, app } = setup();
    await recorder.recordPolls(UNIT, [await startPoll(recorder, store, app, SHA('a'))], 'poll');
    expect(lockUses.filter((key) => key === UNIT)).toHaveLength(1);

    lockUses.length = 0;
    const older = await startPoll(recorder, store, app, SHA('b'));
    for (let cycle = 0; cycle < 3; cycle += 1) {
      const polled = await startPoll(recorder, store, app, SHA('a'));
      expect(await recorder.recordPolls(UNIT, [polled], 'poll')).toEqual({
        run: null,
        changed: 0,
        stale: [],
      });
    }
    expect(lockUses).toEqual([]);
    // A poll that started before those and found B is overtaken by them: dropped, as under the lock.
    expect(await recorder.recordPolls(UNIT, [older], 'poll')).toEqual({ run: null, changed: 0, stale: [] });
    expect((await store.getHeads('app')).heads.map((head) => head.sha)).toEqual([SHA('a')]);
  });

  it('an unchanged poll waits for a record of its unit under way, and is compared again after it', async () => {
    const { store, recorder, app, holdNextWrite } = setup();
    await recorder.recordPolls(UNIT, [await startPoll(recorder, store, app, SHA('a'))], 'poll');
    // An earlier poll found B and is writing it; a later one found A again (the branch was reset).
    const gate = promiseGate();
    holdNextWrite(gate.promise);
    const moved = await startPoll(recorder, store, app, SHA('b'));
    const reset = await startPoll(recorder, store, app, SHA('a'));
    const writing = recorder.recordPolls(UNIT, [moved], 'poll');
    const after = recorder.recordPolls(UNIT, [reset], 'poll');
    gate.open();
    expect((await writing).changed).toBe(1);
    // The later poll saw the forge last: A again, recorded as a change back from B.
    expect(await after).toMatchObject({ changed: 1 });
    expect((await store.getHeads('app')).heads.map((head) => head.sha)).toEqual([SHA('a')]);
  });
});
