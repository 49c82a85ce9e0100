import {
  engineLockedDetails,
  type LoadedConfig,
  type Sentry,
  type SentryPlugin,
  type StateStore,
} from '@sentry-git/core';
import type { LevelWithSilent } from 'pino';
import { engineFor, loadFullConfig, openStateStore } from './assemble.js';
import { type ApiClient, createApiClient, serverAnswers } from './remote/client.js';
import { lockedError, type ServerTarget, serverTarget } from './remote/target.js';

/**
 * What a command works with: the configuration, and the running watch's server when one answers
 * at `server.port` (the command then asks it), else the state store and an engine of its own.
 */
export interface Connection {
  loaded: LoadedConfig;
  plugins: SentryPlugin[];
  /** The running watch's API; null when none answers (or none is configured). */
  server: ApiClient | null;
  /** Where the watch's API would be (configured port and token), answering or not. */
  target: ServerTarget | null;
}

/**
 * Loads the configuration as the read-only commands do (a token variable not set here does not
 * stop a command the running watch does the work of) and looks for the watch's server.
 */
export async function connect(configFile: string | undefined): Promise<Connection> {
  const { loaded, plugins } = await loadFullConfig(configFile, { readOnly: true });
  // `${API_TOKEN}` left as written (not set here) is no token.
  const tokenUnset = loaded.unsetVariables.some((issue) => issue.path === 'server.token');
  const config = tokenUnset
    ? { ...loaded.config, server: { ...loaded.config.server, token: undefined } }
    : loaded.config;
  const target = serverTarget(config, process.env);
  const server = target && (await serverAnswers(target)) ? createApiClient(target) : null;
  return { loaded, plugins, server, target };
}

/** The state store of the configuration, without an engine (reads, and a queued run's cancel). */
export function storeOf(connection: Connection): Promise<StateStore> {
  return openStateStore(connection.loaded, connection.plugins);
}

export interface EngineOptions {
  /** The command, named in the engine lock and in the messages. */
  command: string;
  logLevel?: LevelWithSilent | undefined;
  logSink?: (text: string) => void;
}

/** An engine of this process on the configuration, every variable it reads set (else CONFIG_INVALID). */
export async function engineOf(connection: Connection, options: EngineOptions): Promise<Sentry> {
  const full =
    connection.loaded.unsetVariables.length > 0
      ? await loadFullConfig(connection.loaded.file)
      : { loaded: connection.loaded, plugins: connection.plugins };
  return engineFor(full.loaded, full.plugins, {
    owner: options.command,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.logSink ? { logSink: options.logSink } : {}),
  });
}

export interface Work<T> {
  /** Through the running watch's server. */
  remote(client: ApiClient): Promise<T>;
  /** On an engine of this process (closed afterwards). */
  local(sentry: Sentry): Promise<T>;
  /** Told before `remote` runs: the server's address. */
  onRemote?(url: string): void;
}

/**
 * Does the work through the running watch's server when one answers, else on an engine of this
 * process. When that engine finds the state store's engine lock held by a watch (one that began
 * serving since, or serves on the configured port only now), the work goes to its server; without
 * a configured server, ENGINE_LOCKED says what is missing for the hand-off.
 */
export async function onServerOrEngine<T>(
  connection: Connection,
  options: EngineOptions,
  work: Work<T>,
): Promise<T> {
  if (connection.server) {
    work.onRemote?.(connection.server.url);
    return work.remote(connection.server);
  }
  const sentry = await engineOf(connection, options);
  let handOff: ServerTarget | null = null;
  try {
    return await work.local(sentry);
  } catch (error) {
    const locked = engineLockedDetails(error);
    if (!locked) throw error;
    if (!connection.target) throw lockedError(locked, connection.loaded.config, process.env, options.command);
    handOff = connection.target;
  } finally {
    await sentry.close();
  }
  work.onRemote?.(handOff.url);
  return work.remote(createApiClient(handOff));
}
