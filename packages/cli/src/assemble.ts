import path from 'node:path';
import {
  corePlugin,
  createRedactor,
  createRegistry,
  createSentry,
  type LoadedConfig,
  loadConfig,
  loadPlugins,
  type Sentry,
  type SentryPlugin,
  type StateStore,
  validateConfig,
} from '@sentry-git/core';
import type { LevelWithSilent } from 'pino';
import { builtinPlugins } from './builtins.js';
import { acquireEngineLock } from './lock.js';
import { cliLogger } from './logger.js';

export interface AssembleOptions {
  configFile?: string | undefined;
  logLevel?: LevelWithSilent | undefined;
  /** Take the engine lock (commands that run deploys). */
  lock?: string;
}

/** Reads the config and its plugins, and validates it against everything installed. */
export async function loadFullConfig(
  configFile: string | undefined,
): Promise<{ loaded: LoadedConfig; plugins: SentryPlugin[] }> {
  const loaded = await loadConfig({ file: configFile });
  // .env values reach the deploy commands too, without overriding the real environment.
  for (const [key, value] of Object.entries(loaded.dotenv)) process.env[key] ??= value;
  const plugins = [
    ...builtinPlugins(),
    ...(await loadPlugins(loaded.config.plugins, { configDir: loaded.dir })),
  ];
  const registry = createRegistry([corePlugin, ...plugins]);
  validateConfig(loaded.config, { file: loaded.file, known: registry.known() });
  return { loaded, plugins };
}

/** Opens the configured state store without an engine (read-only commands). */
export async function openStateStore(loaded: LoadedConfig, plugins: SentryPlugin[]): Promise<StateStore> {
  const registry = createRegistry([corePlugin, ...plugins]);
  return registry
    .stateStore(loaded.config.state.driver)
    .create({ configDir: loaded.dir, path: loaded.config.state.path });
}

export function stateFileOf(loaded: LoadedConfig): string | null {
  if (loaded.config.state.driver !== 'sqlite') return null;
  return loaded.config.state.path ?? path.join(loaded.dir, '.sentry-git', 'state.db');
}

export interface Assembled {
  sentry: Sentry;
  loaded: LoadedConfig;
  release(): void;
}

export async function assemble(options: AssembleOptions): Promise<Assembled> {
  const { loaded } = await loadFullConfig(options.configFile);
  const redactor = createRedactor(loaded.secrets);
  const logger = cliLogger(options.logLevel ?? loaded.config.global.log_level, redactor);
  const stateFile = stateFileOf(loaded);
  const release = options.lock && stateFile ? acquireEngineLock(stateFile, options.lock) : () => {};
  try {
    const sentry = await createSentry({
      config: loaded.config,
      configDir: loaded.dir,
      plugins: builtinPlugins(),
      logger,
      secrets: loaded.secrets,
      expanded: true,
    });
    return { sentry, loaded, release };
  } catch (error) {
    release();
    throw error;
  }
}
