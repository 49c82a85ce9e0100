import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { createDispatcher } from '../src/engine/dispatcher.js';
import { jobSpec, newId } from '../src/engine/ids.js';
import { createEventBus } from '../src/events.js';
import type { Logger } from '../src/interfaces/executor.js';
import type { StateStore } from '../src/interfaces/state-store.js';
import { silentLogger } from '../src/logging.js';
import { corePlugin } from '../src/plugins/core-plugin.js';
import { definePlugin } from '../src/plugins/define.js';
import { createRegistry } from '../src/plugins/registry.js';
import { createRedactor } from '../src/redact.js';
import { createMemoryStateStore } from '../src/state/memory.js';
import { endedNow } from '../src/testing/index.js';

const SHA = (digit: string) => digit.repeat(40);

/** An executor that logs starts and ends, and holds a job until its signal aborts when told to. */
function recordingPlugin(options: { holdUntilAborted?: boolean } = {}) {
  const log: string[] = [];
  const plugin = definePlugin({
    name: 'recording',
    executors: [
      {
        id: 'record',
        capabilities: { reattach: false },
        async execute(job, { signal }) {
          log.push(`start ${job.sha.slice(0, 1)}`);
          if (options.holdUntilAborted) {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
            log.push(`cancelled ${job.sha.slice(0, 1)}`);
            return endedNow('cancelled', String(signal.reason?.message ?? signal.reason));
          }
          await new Promise((resolve) => setImmediate(resolve));
          log.push(`end ${job.sha.slice(0, 1)}`);
          return endedNow('succeeded');
        },
      },
    ],
  });
  return { plugin, log };
}

function setup(plugin: ReturnType<typeof recordingPlugin>['plugin']) {
  const { config } = resolveConfig(
    {
      state: { driver: 'memory' },
      repositories: [
        {
          name: 'app',
          monitor: { repo_url: 'https://forge.invalid/app.git', repo_type: 'git', branches: ['main'] },
          deploy: { executor: 'record' },
        },
      ],
    },
    { env: {} },
  );
  const store = createMemoryStateStore();
  const warnings: string[] = [];
  const logger = silentLogger();
  logger.warn = ((...args: unknown[]) => {
    warnings.push(String(args.at(-1)));
  }) as Logger['warn'];
  const bus = createEventBus(createRedactor([]));
  const registry = createRegistry([corePlugin, plugin]);
  const dispatcher = createDispatcher({ config, store, registry, bus, logger, redactor: createRedactor([]) });
  return { store, dispatcher, warnings, bus };
}

async function queueRun(store: StateStore, digit: string) {
  const id = newId('run');
  await store.recordDetection({
    repositories: [],
    changes: [],
    run: {
      id,
      unit: 'repository:app',
      trigger: 'manual',
      createdAt: new Date().toISOString(),
      jobs: [jobSpec('app', 'main', SHA(digit), null)],
    },
  });
  return id;
}

describe('the dispatcher', () => {
  it('nextQueuedRun is the unit’s oldest queued run: a run recovered after a crash goes before a newer one', async () => {
    const store = createMemoryStateStore();
    expect(await store.nextQueuedRun('repository:app')).toBeNull();
    const older = await queueRun(store, 'a');
    await store.updateRun(older, { status: 'running', startedAt: new Date().toISOString() });
    const newer = await queueRun(store, 'b');
    expect((await store.nextQueuedRun('repository:app'))?.id).toBe(newer);
    await store.recoverInterrupted({ policy: 'requeue' });
    expect((await store.nextQueuedRun('repository:app'))?.id).toBe(older);
  });

  it('recover() runs the recovered runs of a unit one at a time, oldest first', async () => {
    const { plugin, log } = recordingPlugin();
    const { store, dispatcher, warnings } = setup(plugin);
    const older = await queueRun(store, 'a');
    await store.updateRun(older, { status: 'running', startedAt: new Date().toISOString() });
    await queueRun(store, 'b');
    await dispatcher.recover();
    await dispatcher.idle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(warnings).toContain(
      `run ${older} left unfinished by an earlier process (crash or stop) is queued again`,
    );
    expect((await store.listRuns({ unit: 'repository:app' })).map((run) => run.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('finish() without grace cancels the running job, saying why, and starts nothing after halt()', async () => {
    const { plugin, log } = recordingPlugin({ holdUntilAborted: true });
    const { store, dispatcher, warnings, bus } = setup(plugin);
    const started = new Promise((resolve) => bus.once('job:start', resolve));
    await queueRun(store, 'a');
    dispatcher.kick('repository:app');
    await started;
    dispatcher.halt();
    dispatcher.kick('repository:app');
    await dispatcher.finish({ graceMs: 0, reason: 'second SIGTERM' });
    expect(log).toEqual(['start a', 'cancelled a']);
    expect(warnings[0]).toBe('second SIGTERM: cancelling 1 running job now');
    // The job a shutdown cancelled is queued again for the next start, in a run of its own.
    expect(warnings[1]).toMatch(/cancelled by the shutdown: its unfinished job is queued again as run /);
    const [requeued, cancelled] = await store.listRuns({ unit: 'repository:app' });
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.jobs[0]?.error).toContain(
      'sentry-git stopped (second SIGTERM): running jobs were cancelled',
    );
    expect(requeued?.status).toBe('queued');
    dispatcher.detach();
  });
});
