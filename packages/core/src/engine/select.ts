import type { RepositoryConfig, SentryConfig } from '../config/schema.js';
import { SentryError } from '../errors.js';
import type { TriggerOptions } from './requests.js';

/** The named repositories (all when none are named); an unknown name is UNKNOWN_REPOSITORY. */
export function selectRepositories(
  config: SentryConfig,
  names: readonly string[] | undefined,
): RepositoryConfig[] {
  if (!names || names.length === 0) return config.repositories;
  const byName = new Map(config.repositories.map((repo) => [repo.name, repo]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new SentryError(
      'UNKNOWN_REPOSITORY',
      `Unknown repositor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((n) => `"${n}"`).join(', ')}.`,
      { fix: `Use a name from the configuration: ${[...byName.keys()].join(', ')}.` },
    );
  }
  return names.map((name) => byName.get(name)!);
}

/** What a trigger deploys: the named repositories, narrowed to a group's members; an unknown group is UNKNOWN_GROUP. */
export function selectForTrigger(config: SentryConfig, options: TriggerOptions): RepositoryConfig[] {
  const selected = selectRepositories(config, options.repositories);
  if (options.group === undefined) return selected;
  if (!(options.group in config.groups)) {
    throw new SentryError('UNKNOWN_GROUP', `Unknown group "${options.group}".`, {
      fix: `Use a group from the configuration: ${Object.keys(config.groups).join(', ') || 'none defined'}.`,
    });
  }
  return selected.filter((repo) => repo.group === options.group);
}
