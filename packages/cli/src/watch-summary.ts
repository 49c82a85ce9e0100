import path from 'node:path';
import type { SentryConfig } from '@sentry-git/core';
import { plural } from '@sentry-git/core/internal';
import { DEFAULT_DATABASE_PATH } from '@sentry-git/state-sqlite';

export interface WatchSummaryInput {
  config: SentryConfig;
  /** Folder of the configuration file: a relative `state.path` resolves against it. */
  configDir: string;
  once: boolean;
  /** The server's address, when `watch` serves. */
  url?: string | undefined;
}

/** Where the state lives, as the operator looks for it. */
export function stateLocation(config: SentryConfig, configDir: string): string {
  const { driver, path: file } = config.state;
  if (driver === 'sqlite') return path.resolve(configDir, file ?? DEFAULT_DATABASE_PATH);
  if (driver === 'memory') return 'in memory (forgotten on exit)';
  return file ? `${driver} at ${path.resolve(configDir, file)}` : driver;
}

function intervals(config: SentryConfig): string {
  const seconds = config.repositories.map((repo) => repo.monitor.polling_interval ?? config.polling_interval);
  const low = Math.min(...seconds, config.polling_interval);
  const high = Math.max(...seconds, config.polling_interval);
  return low === high ? `every ${low} s` : `every ${low}–${high} s`;
}

/** The one line `watch` logs when it has started: what it watches, where state lives, where it serves. */
export function watchSummary(input: WatchSummaryInput): { message: string; fields: Record<string, unknown> } {
  const { config } = input;
  const groups = Object.keys(config.groups).length;
  const inGroups = groups > 0 ? ` (${plural(groups, 'group', 'groups')})` : '';
  const what = `${plural(config.repositories.length, 'repository', 'repositories')}${inGroups}`;
  const state = stateLocation(config, input.configDir);
  const how = input.once ? `polling ${what} once` : `watching ${what} ${intervals(config)}`;
  // The console is at the server's root: the address to open is the one logged.
  const served = input.url ? `; server and console: ${input.url}/` : '';
  return {
    message: `${how}; state: ${state}${served}`,
    fields: {
      repositories: config.repositories.length,
      groups,
      pollingInterval: config.polling_interval,
      stateDriver: config.state.driver,
      state,
      ...(input.url ? { url: input.url } : {}),
    },
  };
}
