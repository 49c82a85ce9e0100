import type { Executor } from '../interfaces/executor.js';
import type { GitProvider } from '../interfaces/provider.js';
import type { StateStoreFactory } from '../interfaces/state-store.js';
import type { Strategy } from '../interfaces/strategy.js';
import type { PluginHost, PluginSetupResult } from './host.js';

export type { PluginHost, PluginLifecycle, PluginSetupResult } from './host.js';

/**
 * A plugin bundles providers, executors, strategies and state stores, and may subscribe to
 * events in `setup()` (a notifier, a metrics exporter). First-party adapters are plugins too.
 */
export interface SentryPlugin {
  name: string;
  providers?: GitProvider[];
  executors?: Executor[];
  strategies?: Strategy[];
  stateStores?: StateStoreFactory[];
  /**
   * Called once the engine exists, before it starts, with a `PluginHost`; may return the
   * plugin's lifecycle (`{ flush?, close? }`), which `close()` ends.
   */
  setup?(host: PluginHost): PluginSetupResult | Promise<PluginSetupResult>;
}

/** A plugin module's default export: the plugin, or a function of the options given in config. */
export type PluginExport =
  | SentryPlugin
  | ((options: Record<string, unknown>) => SentryPlugin | Promise<SentryPlugin>);

export function definePlugin<const P extends SentryPlugin>(plugin: P): P {
  return plugin;
}
