/**
 * What an operator's action names (a repository, a branch, a commit, a group), resolved against
 * the configuration, with an error for each bad name that says what was wrong and what to use.
 */
import type { RepositoryConfig, SentryConfig } from '../config/schema.js';
import { didYouMean } from '../did-you-mean.js';
import { SentryError } from '../errors.js';
import { type UnitKey, unitKeyOf } from '../types.js';
import type { DeployRequest, PauseTarget } from './requests.js';

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function configuredRepository(config: SentryConfig, name: unknown, action: string): RepositoryConfig {
  const repo =
    typeof name === 'string' ? config.repositories.find((candidate) => candidate.name === name) : undefined;
  if (repo) return repo;
  const names = config.repositories.map((candidate) => candidate.name);
  const hint = typeof name === 'string' ? didYouMean(name, names) : undefined;
  throw new SentryError(
    'REPOSITORY_NOT_FOUND',
    `Cannot ${action}: no repository ${JSON.stringify(name)} in the configuration.`,
    {
      fix: hint ? `Did you mean "${hint}"?` : `Use one of: ${names.join(', ')}.`,
    },
  );
}

/** A deploy's repository, branch and commit (lower case); `sha` undefined means its head as last polled. */
export function deployTarget(
  config: SentryConfig,
  matchers: ReadonlyMap<string, (branch: string) => boolean>,
  request: DeployRequest,
): { repo: RepositoryConfig; branch: string; sha: string | undefined } {
  const repo = configuredRepository(config, request.repository, 'deploy');
  const { branch } = request;
  if (typeof branch !== 'string' || branch === '' || !matchers.get(repo.name)!(branch)) {
    throw new SentryError(
      'BRANCH_NOT_WATCHED',
      `Cannot deploy ${repo.name} ${JSON.stringify(branch)}: the branch does not match the repository's monitor.branches (${repo.monitor.branches.join(', ')}).`,
      { fix: `Deploy a branch ${repo.name} watches, or add it to its monitor.branches.` },
    );
  }
  if (request.sha === undefined) return { repo, branch, sha: undefined };
  const sha = typeof request.sha === 'string' ? request.sha.trim().toLowerCase() : '';
  if (!FULL_SHA.test(sha)) {
    throw new SentryError(
      'SHA_INVALID',
      `Cannot deploy ${repo.name} ${branch} at ${JSON.stringify(request.sha)}: not a full commit SHA (40 or 64 hexadecimal digits).`,
      { fix: 'Give the full SHA: `git rev-parse <commit>` prints it.' },
    );
  }
  return { repo, branch, sha };
}

/** The unit a pause or resume acts on: a repository without a group, or a group. */
export function pauseUnit(config: SentryConfig, target: PauseTarget, action: string): UnitKey {
  if ('group' in target && target.group !== undefined) {
    const groups = Object.keys(config.groups);
    if (typeof target.group === 'string' && groups.includes(target.group)) return `group:${target.group}`;
    const hint = typeof target.group === 'string' ? didYouMean(target.group, groups) : undefined;
    throw new SentryError(
      'GROUP_NOT_FOUND',
      `Cannot ${action}: no group ${JSON.stringify(target.group)} in the configuration.`,
      {
        fix: hint ? `Did you mean "${hint}"?` : `Use one of: ${groups.join(', ') || 'none defined'}.`,
      },
    );
  }
  const repo = configuredRepository(config, (target as { repository?: unknown }).repository, action);
  if (repo.group) {
    throw new SentryError(
      'PAUSE_TARGET_IN_GROUP',
      `Cannot ${action} ${repo.name} alone: it deploys as part of group "${repo.group}".`,
      {
        fix: `${action[0]!.toUpperCase()}${action.slice(1)} the group: { group: "${repo.group}" } (sentry-git ${action} --group ${repo.group}).`,
      },
    );
  }
  return unitKeyOf(repo);
}
