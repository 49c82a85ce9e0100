import { collectSecrets, resolveConfig, resolveRelativePaths } from '../config/load.js';
import type { SentryConfig } from '../config/schema.js';
import { type KnownIds, validateConfig } from '../config/validate.js';
import { corePlugin } from '../plugins/core-plugin.js';
import { loadPlugins } from '../plugins/load.js';
import { createRegistry, type Registry } from '../plugins/registry.js';
import type { CreateSentryOptions } from './api.js';

export interface EngineSetup {
  registry: Registry;
  config: SentryConfig;
  /** Secret values found in the configuration, for the redactor. */
  secrets: string[];
  configDir: string;
}

/**
 * Before the pipeline exists: the registry (core, the given plugins, those the configuration
 * lists), and the configuration validated against every id they provide, paths resolved.
 */
export async function configureEngine(options: CreateSentryOptions): Promise<EngineSetup> {
  const configDir = options.configDir ?? process.cwd();
  const registry = createRegistry([corePlugin, ...(options.plugins ?? [])]);
  const resolve = (known?: KnownIds) =>
    options.expanded
      ? { config: validateConfig(options.config, { known }), secrets: collectSecrets(options.config) }
      : resolveConfig(options.config, { env: options.env, known });
  if (options.loadPlugins !== false) {
    for (const plugin of await loadPlugins(resolve().config.plugins, { configDir }))
      registry.register(plugin);
  }
  // Validate again now that every plugin is known (executor ids, repo types, strategies). A
  // caller's own store stands in for `state.driver`: no plugin need provide that driver then.
  const { stateStores, ...known } = registry.known();
  const { config, secrets } = resolve(options.stateStore ? known : { ...known, stateStores });
  resolveRelativePaths(config, configDir);
  return { registry, config, secrets, configDir };
}
