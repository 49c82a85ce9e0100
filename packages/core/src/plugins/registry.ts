import type { KnownIds } from '../config/validate.js';
import { SentryError } from '../errors.js';
import type { Executor } from '../interfaces/executor.js';
import type { GitProvider } from '../interfaces/provider.js';
import type { StateStoreFactory } from '../interfaces/state-store.js';
import type { Strategy } from '../interfaces/strategy.js';
import type { SentryPlugin } from './define.js';

/** Forge types that any Git host also serves over plain Git: polled with `git` when their own provider is not installed. */
export const GIT_FALLBACK_TYPES: ReadonlySet<string> = new Set([
  'github',
  'gitlab',
  'gitea',
  'forgejo',
  'bitbucket',
]);

interface Slot<T> {
  value: T;
  plugin: string;
}

export interface Registry {
  register(plugin: SentryPlugin): void;
  readonly plugins: readonly SentryPlugin[];
  provider(type: string): { provider: GitProvider; fallback: boolean };
  executor(id: string): Executor;
  strategy(id: string): Strategy;
  stateStore(id: string): StateStoreFactory;
  known(): KnownIds;
}

function lookup<T>(map: Map<string, Slot<T>>, kind: string, id: string): T {
  const slot = map.get(id);
  if (!slot) {
    throw new SentryError(
      'PLUGIN_MISSING',
      `No ${kind} "${id}" is installed (installed: ${[...map.keys()].join(', ') || 'none'}).`,
      {
        fix: `Add the plugin that provides the ${kind} "${id}" to plugins, or use an installed one.`,
      },
    );
  }
  return slot.value;
}

/** Where providers, executors, strategies and state stores are found by id. One per engine. */
export function createRegistry(plugins: Iterable<SentryPlugin> = []): Registry {
  const providers = new Map<string, Slot<GitProvider>>();
  const executors = new Map<string, Slot<Executor>>();
  const strategies = new Map<string, Slot<Strategy>>();
  const stateStores = new Map<string, Slot<StateStoreFactory>>();
  const registered: SentryPlugin[] = [];

  function add<T extends { id: string }>(
    map: Map<string, Slot<T>>,
    kind: string,
    items: T[] | undefined,
    plugin: string,
  ): void {
    for (const item of items ?? []) {
      const existing = map.get(item.id);
      if (existing && existing.plugin !== plugin) {
        throw new SentryError(
          'PLUGIN_CONFLICT',
          `Plugin "${plugin}" registers the ${kind} "${item.id}", already registered by "${existing.plugin}".`,
          {
            fix: 'Remove one of the two plugins from plugins, or give the id another name.',
          },
        );
      }
      map.set(item.id, { value: item, plugin });
    }
  }

  function register(plugin: SentryPlugin): void {
    if (registered.some((p) => p.name === plugin.name)) return;
    add(providers, 'provider', plugin.providers, plugin.name);
    add(executors, 'executor', plugin.executors, plugin.name);
    add(strategies, 'strategy', plugin.strategies, plugin.name);
    add(stateStores, 'state store', plugin.stateStores, plugin.name);
    registered.push(plugin);
  }

  function provider(type: string): { provider: GitProvider; fallback: boolean } {
    const own = providers.get(type);
    if (own) return { provider: own.value, fallback: false };
    const git = providers.get('git');
    if (git && GIT_FALLBACK_TYPES.has(type)) return { provider: git.value, fallback: true };
    return { provider: lookup(providers, 'provider', type), fallback: false };
  }

  function known(): KnownIds {
    return {
      providers: new Set(providers.keys()),
      providerFallbacks: providers.has('git') ? GIT_FALLBACK_TYPES : new Set(),
      executors: new Set(executors.keys()),
      strategies: new Set(strategies.keys()),
      stateStores: new Set(stateStores.keys()),
      validateDeploy: (id, deploy) => executors.get(id)?.value.validate?.(deploy) ?? [],
    };
  }

  for (const plugin of plugins) register(plugin);
  return {
    register,
    get plugins() {
      return registered;
    },
    provider,
    executor: (id) => lookup(executors, 'executor', id),
    strategy: (id) => lookup(strategies, 'strategy', id),
    stateStore: (id) => lookup(stateStores, 'state store', id),
    known,
  };
}
