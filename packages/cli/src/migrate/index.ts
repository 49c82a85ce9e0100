import path from 'node:path';
import { ConfigError } from '@sentry-git/core';
import { isSimpleSentryConfig, parseYamlConfig } from '@sentry-git/core/internal';
import { emitMigration } from './emit.js';
import { isRecord } from './fields.js';
import { convertRepoSentry } from './reposentry.js';
import { convertSimpleSentry } from './simple.js';

export interface MigrateOutput {
  /** The sentry-git YAML. */
  yaml: string;
  format: 'reposentry' | 'sentry-simple';
  repositories: number;
  /** What the user must do now (a literal token that was not copied); for stderr. */
  warnings: string[];
}

/** A file that already has sentry-git's own keys has nothing to migrate. */
function isNative(raw: Record<string, unknown>): boolean {
  if ('polling_interval' in raw || 'groups' in raw || 'global' in raw) return true;
  const repos = raw.repositories;
  return (
    Array.isArray(repos) && repos.some((repo) => isRecord(repo) && ('monitor' in repo || 'deploy' in repo))
  );
}

/**
 * Reads a RepoSentry (or simplified Sentry) configuration as written, without expanding
 * `${VAR}` (tokens must stay references), and returns the equivalent sentry-git YAML. Problems
 * are a ConfigError listing each with its key path.
 */
export function migrateConfig(text: string, file: string): MigrateOutput {
  // The same bounded reader as the loader: aliases, nesting and size cannot hang it.
  const raw: unknown = parseYamlConfig(text, file);
  if (!isRecord(raw)) {
    throw new ConfigError(
      [{ path: '', message: 'must be a mapping of keys (a RepoSentry configuration).' }],
      file,
    );
  }
  const simple = isSimpleSentryConfig(raw);
  if (!simple && isNative(raw)) {
    throw new ConfigError(
      [
        {
          path: '',
          message:
            'is already a sentry-git (or original Sentry) configuration: nothing to migrate. Fix: check it with `sentry-git validate -c FILE`.',
        },
      ],
      file,
    );
  }
  const name = path.basename(file);
  const result = simple ? convertSimpleSentry(raw, name) : convertRepoSentry(raw, name);
  if (!result.ok) throw new ConfigError(result.issues, file);
  const { migration } = result;
  return {
    yaml: emitMigration(migration),
    format: simple ? 'sentry-simple' : 'reposentry',
    repositories: (migration.config.repositories as unknown[] | undefined)?.length ?? 0,
    warnings: migration.warnings,
  };
}
