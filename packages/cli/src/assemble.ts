import {
  createRedactor,
  createSentry,
  type LoadedConfig,
  loadConfig,
  loadPlugins,
  type Sentry,
  type SentryPlugin,
  type StateStore,
  validateConfig,
} from '@sentry-git/core';
import { corePlugin, createRegistry } from '@sentry-git/core/internal';
import type { LevelWithSilent } from 'pino';
import { builtinPlugins } from './builtins.js';

export interface AssembleOptions {
  configFile?: string | undefined;
  logLevel?: LevelWithSilent | undefined;
  /** The command, named in the state store's engine lock. */
  owner?: string;
}

/**
 * Reads the config and its plugins, and validates it against everything installed. `readOnly`
 * is for commands that only read the state (status, runs): they reach no forge and no cluster,
 * so a token variable that is not set where they run does not stop them.
 */
export async function loadFullConfig(
  configFile: string | undefined,
  options: { readOnly?: boolean } = {},
): Promise<{ loaded: LoadedConfig; plugins: SentryPlugin[] }> {
  const loaded = await loadConfig({ file: configFile, allowUnsetVariables: options.readOnly === true });
  // .env values reach the deploy commands too, without overriding the real environment.
  for (const [key, value] of Object.entries(loaded.dotenv)) process.env[key] ??= value;
  const plugins = [
    ...builtinPlugins(),
    ...(await loadPlugins(loaded.config.plugins, { configDir: loaded.dir })),
  ];
  const registry = createRegistry([corePlugin, ...plugins]);
  validateConfig(loaded.config, {
    file: loaded.file,
    known: registry.known(),
    unsetVariables: loaded.unsetVariables,
  });
  return { loaded, plugins };
}

/** Opens the configured state store without an engine (read-only commands). */
export async function openStateStore(loaded: LoadedConfig, plugins: SentryPlugin[]): Promise<StateStore> {
  const registry = createRegistry([corePlugin, ...plugins]);
  return registry
    .stateStore(loaded.config.state.driver)
    .create({ configDir: loaded.dir, path: loaded.config.state.path, url: loaded.config.state.url });
}

export interface Assembled {
  sentry: Sentry;
  loaded: LoadedConfig;
}

/** The engine for a command that deploys; it takes the state store's engine lock when it first polls or triggers. */
export async function assemble(options: AssembleOptions): Promise<Assembled> {
  const { loaded, plugins } = await loadFullConfig(options.configFile);
  return { sentry: await engineFor(loaded, plugins, options), loaded };
}

/**
 * The engine on a configuration already loaded (with every variable set). `logSink`, when
 * given, receives each log line instead of stderr (a progress display writes them above its
 * status line).
 */
export async function engineFor(
  loaded: LoadedConfig,
  plugins: SentryPlugin[],
  options: Omit<AssembleOptions, 'configFile'> & { logSink?: (text: string) => void },
): Promise<Sentry> {
  const redactor = createRedactor(loaded.secrets);
  // Only the commands that run the engine log through pino(-pretty): load it here, not at start-up.
  const { cliLogger } = await import('./logger.js');
  const logger = await cliLogger(
    options.logLevel ?? loaded.config.global.log_level,
    redactor,
    options.logSink,
  );
  return createSentry({
    config: loaded.config,
    configDir: loaded.dir,
    plugins,
    loadPlugins: false,
    logger,
    secrets: loaded.secrets,
    expanded: true,
    ...(options.owner ? { owner: options.owner } : {}),
    // This process's name among replicas sharing a PostgreSQL state (a pod's name in Kubernetes).
    ...(process.env.SENTRY_GIT_REPLICA ? { replica: process.env.SENTRY_GIT_REPLICA } : {}),
  });
}
