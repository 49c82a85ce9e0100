/**
 * The engine's facade: it builds the pipeline and answers the `Sentry` API, and does nothing a
 * stage does. A change travels one way:
 *
 *   scheduler.ts → poll-cycle.ts → detection-recorder.ts → dispatcher.ts → runner.ts → executor
 *   (due times)    (poll, filters)  (ticket, settle,        (lanes, grace,   (jobs, strategy,
 *                                   commit, run queued)      cancel)          results)
 *
 * Manual triggers, re-runs and deploys of a chosen commit enter at the recorder, webhooks and
 * `pollOnce` at the poll cycle; cancels and pauses reach the dispatcher through the store
 * (control.ts answers those requests). Plugins, the notifier, the commit-status reporter and the
 * event logger listen on the event bus.
 */
import { setMaxListeners } from 'node:events';
import { ShutdownError } from '../abort.js';
import { SentryError } from '../errors.js';
import { createEventBus } from '../events.js';
import { eventLoggerPlugin, silentLogger } from '../logging.js';
import type { PluginHost } from '../plugins/host.js';
import { setupPlugins } from '../plugins/lifecycle.js';
import { createRedactor } from '../redact.js';
import type { CreateSentryOptions, Sentry } from './api.js';
import { commitStatusPlugin } from './commit-status.js';
import { configureEngine } from './configure.js';
import { createControl } from './control.js';
import { createDetectionRecorder } from './detection-recorder.js';
import { createDispatcher } from './dispatcher.js';
import { warnIfNotDurable } from './durability.js';
import { openEngineStore } from './engine-store.js';
import { notifierPlugin } from './notify.js';
import { branchMatchers, createPoller } from './poll-cycle.js';
import type { PollRequest, StopOptions } from './requests.js';
import { createScheduler } from './scheduler.js';
import { selectRepositories } from './select.js';
import { waitForRuns } from './wait.js';

export type { CreateSentryOptions, ReplicaView, Sentry } from './api.js';
export type {
  ActorOptions,
  CancelResult,
  DeployPlan,
  DeployRequest,
  FollowJobOptions,
  PauseTarget,
  PlannedChange,
  PlannedUnit,
  PollRequest,
  PollResult,
  PushHint,
  ResumeResult,
  StopOptions,
  TriggerOptions,
} from './requests.js';
export type { RepositoryStatus } from './status.js';

/** Assembles an engine: registry and configuration, state store, event bus, the pipeline's stages and the plugins. */
export async function createSentry(options: CreateSentryOptions): Promise<Sentry> {
  const { registry, config, secrets, configDir } = await configureEngine(options);
  const redactor = createRedactor([...secrets, ...(options.secrets ?? [])]);
  const bus = createEventBus(redactor);
  // Read here, not in ensureReady: a closure reading `options` would keep the caller's whole
  // configuration (a second copy of every repository's settings) for the life of the engine.
  const owner = options.owner ?? 'sentry-git';
  // On a shared store every line the engine logs names its replica.
  const { store, replica, shared, view, logger } = await openEngineStore({
    config,
    configDir,
    registry,
    bus,
    redactor,
    logger: options.logger ?? silentLogger(),
    stateStore: options.stateStore,
    replicaId: options.replica,
    onAssign: (held) => scheduler.assign(held),
    onRenewed: () => dispatcher.sweep(),
  });
  const stopController = new AbortController();
  // Each poll deadline slot in use (poll-deadlines.ts) and each waiting stage listen on it: more
  // than Node's warning threshold of 10 in normal work, bounded by poll_concurrency.
  setMaxListeners(0, stopController.signal);
  const matchers = branchMatchers(config.repositories);
  let stopping = false;
  let started = false;
  let closed = false;
  let ready: Promise<void> | undefined;
  let releaseLock: (() => Promise<void>) | undefined;

  // What every stage reads; each takes the parts it needs.
  const parts = { config, store, registry, bus, logger, redactor };
  const dispatcher = createDispatcher({ ...parts, shared: replica });
  const recorder = createDetectionRecorder({ ...parts, matchers, onQueued: dispatcher.kick });
  const scheduler = createScheduler({
    config,
    onDue: (due) => poller.pollAll(due, 'poll'),
    onError: (error) =>
      bus.emit('error', {
        error: error instanceof Error ? error : new Error(String(error)),
        context: 'poll cycle',
      }),
  });
  const poller = createPoller({ ...parts, scheduler, recorder, matchers, stopSignal: stopController.signal });

  function ensureReady(): Promise<void> {
    ready ??= (async () => {
      if (replica) await replica.join();
      else if (store.acquireEngineLock) releaseLock = await store.acquireEngineLock(owner);
      await poller.restoreHealth();
      await dispatcher.recover();
    })();
    return ready;
  }

  async function pollOnce(request: PollRequest = {}) {
    await ensureReady();
    const repos = selectRepositories(config, request.repositories);
    const result = await poller.pollAll(repos, request.trigger ?? 'poll', request.pushed);
    scheduler.reschedule();
    return result;
  }

  const control = createControl({
    ...parts,
    matchers,
    recorder,
    poller,
    scheduler,
    dispatcher,
    async ready(what) {
      await ensureReady();
      if (stopping) throw new SentryError('ENGINE_STOPPED', `Cannot ${what}: sentry-git is stopping.`);
    },
    working: () => ready !== undefined && !stopping,
    scheduled: () => started,
  });

  async function stop(stopOptions: StopOptions = {}): Promise<void> {
    if (!stopping) {
      stopping = true;
      scheduler.stop();
      dispatcher.halt();
      stopController.abort(new ShutdownError());
    }
    await poller.settled();
    const graceMs = stopOptions.graceMs ?? config.global.shutdown_grace * 1000;
    await dispatcher.finish({ graceMs, reason: stopOptions.reason });
  }

  async function close(closeOptions: StopOptions = {}): Promise<void> {
    await stop(closeOptions);
    if (closed) return;
    closed = true;
    // Reverse order of setup: the plugins, then status flush, notifier (its own grace), event logger.
    await plugins.close(closeOptions.graceMs ?? config.global.shutdown_grace * 1000);
    dispatcher.detach();
    await replica?.leave();
    await shared?.close();
    await releaseLock?.();
    await store.close();
  }

  const { trigger } = control;
  const host: PluginHost = { config, logger, redactor, events: bus, pollNow: pollOnce, trigger };
  const builtins = [
    ...(options.logEvents === false ? [] : [eventLoggerPlugin()]),
    notifierPlugin(),
    commitStatusPlugin(registry),
  ];
  const plugins = await setupPlugins([...builtins, ...registry.plugins], host, bus).catch(async (error) => {
    await store.close();
    throw error;
  });

  return {
    config,
    store,
    registry,
    logger,
    redactor,
    bus,
    ...(view ? { replica: view } : {}),
    on: bus.on,
    once: bus.once,
    off: bus.off,
    async start() {
      if (started) return;
      if (stopping)
        throw new SentryError('ENGINE_STOPPED', 'Cannot start: this engine was stopped; create a new one.');
      started = true;
      await ensureReady();
      warnIfNotDurable(store, logger);
      scheduler.start();
      replica?.start();
    },
    stop,
    close,
    pollOnce,
    ...control,
    waitForRuns: (ids) => waitForRuns(bus, store, ids),
    idle: () => dispatcher.idle(),
  };
}
