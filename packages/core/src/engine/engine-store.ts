import type { SentryConfig } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import { type ObservedStateStore, observeStateWrites } from '../state/write-health.js';
import type { ReplicaView } from './api.js';
import { forgetCachedHeads, withHeadCache } from './head-cache.js';
import { type Replica, replicaOf } from './replica.js';
import { relaySharedEvents, type SharedEventsRelay } from './shared-events.js';

export interface EngineStoreInput {
  config: SentryConfig;
  configDir: string;
  registry: Registry;
  bus: EventBus;
  logger: Logger;
  redactor: Redactor;
  /** The caller's own store, instead of creating `config.state.driver`. */
  stateStore: StateStore | undefined;
  /** This replica's name on a shared store (`CreateSentryOptions.replica`). */
  replicaId: string | undefined;
  /** The repositories this replica polls from now on (a shared store only). */
  onAssign(held: ReadonlySet<string>): void;
  /** After each renewal of the replica's leases (a shared store only). */
  onRenewed(): Promise<void>;
}

/**
 * The state store as the engine uses it: heads cached, so an unchanged poll reads nothing from
 * the store; writes observed, so a store that cannot write makes the engine not ready (and says
 * why). On a store several replicas share, also this engine's replica (replica.ts): only the
 * repositories it polls are served from the cache, and one it gains is read afresh; the logger
 * it answers then binds the replica's name to every line, and its events are shared with the
 * other replicas through the store's notices (shared-events.ts): `view` hears theirs.
 */
export async function openEngineStore(input: EngineStoreInput): Promise<{
  store: ObservedStateStore;
  replica: Replica | undefined;
  shared: SharedEventsRelay | undefined;
  view: ReplicaView | undefined;
  logger: Logger;
}> {
  const { config, bus, logger } = input;
  const opened =
    input.stateStore ??
    (await input.registry
      .stateStore(config.state.driver)
      .create({ configDir: input.configDir, path: config.state.path, url: config.state.url }));
  // On a shared store only the repositories this replica polls are its own to cache.
  const owned = opened.coordination
    ? (repository: string) => replica?.held().has(repository) === true
    : undefined;
  const store = observeStateWrites(withHeadCache(opened, owned ? { owned } : {}), { bus, logger });
  // Through the observed store: a replica that cannot renew its leases is not ready.
  const replica = replicaOf(store, {
    config,
    id: input.replicaId,
    logger,
    onAssign(held, gained, live) {
      forgetCachedHeads(store, gained);
      input.onAssign(held);
      bus.emit('replica:assigned', {
        replica: replica!.id,
        polled: held.size,
        repositories: config.repositories.length,
        live,
      });
    },
    onRenewed: () => input.onRenewed(),
  });
  if (!replica) return { store, replica, shared: undefined, view: undefined, logger };
  const replicaLogger = logger.child({ replica: replica.id });
  const channel = opened.coordination?.notices;
  const shared = channel
    ? relaySharedEvents({
        bus,
        channel,
        replica: replica.id,
        store,
        redactor: input.redactor,
        logger: replicaLogger,
      })
    : undefined;
  const view: ReplicaView = {
    id: replica.id,
    polled: () => replica.held().size,
    live: replica.live,
    onShared: (handler) => shared?.onShared(handler) ?? (() => undefined),
    onGap: (handler) => shared?.onGap(handler) ?? (() => undefined),
    listening: () => shared?.listening() ?? Promise.resolve(),
  };
  return { store, replica, shared, view, logger: replicaLogger };
}
