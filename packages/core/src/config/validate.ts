import type { z } from 'zod';
import { branchPatternProblem } from '../engine/branch-pattern.js';
import { pathGlobProblem } from '../engine/path-glob.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { explainUnsetVariables, formatPath } from './expand.js';
import { configSchema, DNS_1123_LABEL, type SentryConfig, toDns1123Label } from './schema.js';
import { configSection } from './sections.js';
import { apiTokenIssues } from './token-checks.js';
import { READABLE_PARSE, readableIssues } from './zod-issues.js';

/** What the registry knows, for checks that depend on installed plugins. Omit to skip those checks. */
export interface KnownIds {
  providers?: ReadonlySet<string>;
  executors?: ReadonlySet<string>;
  strategies?: ReadonlySet<string>;
  stateStores?: ReadonlySet<string>;
  /** repo_type values served by a fallback provider (e.g. github polled through git ls-remote). */
  providerFallbacks?: ReadonlySet<string>;
  /** Per-executor validation of a deploy block. */
  validateDeploy?: (
    executor: string,
    deploy: SentryConfig['repositories'][number]['deploy'],
  ) => Array<{ key: string; message: string }>;
}

function zodIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return readableIssues(error, input, {
    schema: configSchema,
    docs: { page: 'configuration', section: configSection },
  });
}

/** `tekton.params[0].value` → ['tekton', 'params', 0, 'value']: an executor's key, as path segments. */
function keySegments(key: string): Array<string | number> {
  return key
    .split('.')
    .filter((part) => part !== '')
    .flatMap((part) =>
      [...part.matchAll(/([^[\]]+)|\[(\d+)\]/g)].map((match) =>
        match[2] === undefined ? (match[1] as string) : Number(match[2]),
      ),
    );
}

/** A `branches` entry RE2 refuses (backreferences, lookarounds, bad syntax), as an issue message. */
function branchPatternIssue(pattern: string): string | null {
  const problem = branchPatternProblem(pattern);
  if (!problem) return null;
  return `invalid branch pattern ${JSON.stringify(pattern)}: ${problem.reason}. Branch patterns are RE2 regular expressions (the syntax of Go and RepoSentry), matched in linear time. Fix: ${problem.fix}.`;
}

/**
 * A maximum below the interval it stretches would be polling faster than asked: refused where
 * both are written at the same level. A global maximum below a repository's own interval only
 * turns stretching off for it (documented), since the global key cannot know every repository.
 */
function maxIntervalIssues(config: SentryConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const globalMax = config.global.max_polling_interval;
  if (globalMax !== undefined && globalMax < config.polling_interval) {
    issues.push({
      path: 'global.max_polling_interval',
      message: `${globalMax} s is shorter than polling_interval (${config.polling_interval} s). Fix: set it to at least ${config.polling_interval}, or remove it to turn adaptive polling off.`,
    });
  }
  config.repositories.forEach((repo, index) => {
    const max = repo.monitor.max_polling_interval;
    const base = repo.monitor.polling_interval ?? config.polling_interval;
    if (max !== undefined && max < base) {
      const from =
        repo.monitor.polling_interval === undefined ? 'polling_interval' : 'its monitor.polling_interval';
      issues.push({
        path: formatPath(['repositories', index, 'monitor', 'max_polling_interval']),
        message: `${max} s is shorter than ${from} (${base} s). Fix: set it to at least ${base}, or remove it.`,
      });
    }
  });
  return issues;
}

/** Rules that span keys: references, uniqueness, regexes, installed plugin ids. */
function crossChecks(config: SentryConfig, known: KnownIds): ConfigIssue[] {
  const issues: ConfigIssue[] = [...maxIntervalIssues(config), ...apiTokenIssues(config.server)];
  const names = new Map<string, number>();
  const groupNames = Object.keys(config.groups);
  // Compiling an RE2 expression is costly; many repositories share their patterns.
  const checkedPatterns = new Map<string, string | null>();

  config.repositories.forEach((repo, index) => {
    const at = (...rest: Array<string | number>) => formatPath(['repositories', index, ...rest]);
    const first = names.get(repo.name);
    if (first !== undefined) {
      issues.push({
        path: at('name'),
        message: `duplicate repository name "${repo.name}" (also repositories[${first}]). Fix: give each repository a unique name.`,
      });
    } else {
      names.set(repo.name, index);
    }
    if (repo.group !== undefined && !(repo.group in config.groups)) {
      issues.push({
        path: at('group'),
        message: `unknown group "${repo.group}". Fix: define it under groups (known: ${groupNames.length ? groupNames.join(', ') : 'none'}) or remove the key to deploy on its own.`,
      });
    }
    repo.monitor.branches.forEach((pattern, b) => {
      if (!checkedPatterns.has(pattern)) checkedPatterns.set(pattern, branchPatternIssue(pattern));
      const message = checkedPatterns.get(pattern);
      if (message) issues.push({ path: at('monitor', 'branches', b), message });
    });
    for (const key of ['paths', 'ignore_paths'] as const) {
      repo.monitor[key]?.forEach((glob, g) => {
        const problem = pathGlobProblem(glob);
        if (problem)
          issues.push({
            path: at('monitor', key, g),
            message: `unsupported glob ${JSON.stringify(glob)}: ${problem}.`,
          });
      });
    }
    if (
      repo.deploy.project_name === undefined &&
      !(DNS_1123_LABEL.test(repo.name) && repo.name.length <= 63)
    ) {
      issues.push({
        path: at('deploy', 'project_name'),
        message: `missing, and the repository name "${repo.name}" is not a DNS-1123 label to default to. Fix: set project_name, e.g. "${toDns1123Label(repo.name)}".`,
      });
    }
    if (
      repo.deploy.executor === 'shell' &&
      (repo.deploy.commands === undefined || repo.deploy.commands.length === 0)
    ) {
      issues.push({
        path: at('deploy', 'commands'),
        message: `${repo.deploy.commands === undefined ? 'missing' : 'empty'}: the shell executor needs at least one command. Fix: list the commands to run, e.g. ["./deploy.sh"].`,
      });
    }
    const type = repo.monitor.repo_type;
    if (known.providers && !known.providers.has(type) && !known.providerFallbacks?.has(type)) {
      issues.push({
        path: at('monitor', 'repo_type'),
        message: `no provider "${type}" is installed (installed: ${[...known.providers].join(', ')}). Fix: use one of them or add the plugin that provides it to plugins.`,
      });
    }
    const executor = repo.deploy.executor;
    if (known.executors && !known.executors.has(executor)) {
      issues.push({
        path: at('deploy', 'executor'),
        message: `no executor "${executor}" is installed (installed: ${[...known.executors].join(', ')}). Fix: use one of them or add the plugin that provides it to plugins.`,
      });
    } else if (known.validateDeploy) {
      for (const problem of known.validateDeploy(executor, repo.deploy))
        issues.push({ path: at('deploy', ...keySegments(problem.key)), message: problem.message });
    }
  });

  for (const [name, group] of Object.entries(config.groups)) {
    if (known.strategies && !known.strategies.has(group.execution_strategy)) {
      issues.push({
        path: formatPath(['groups', name, 'execution_strategy']),
        message: `unknown strategy "${group.execution_strategy}" (installed: ${[...known.strategies].join(', ')}). Fix: use parallel or sequential, or add the plugin that provides it.`,
      });
    }
  }
  if (known.stateStores && !known.stateStores.has(config.state.driver)) {
    issues.push({
      path: 'state.driver',
      message: `no state store "${config.state.driver}" is installed (installed: ${[...known.stateStores].join(', ')}). Fix: use one of them or add the plugin that provides it.`,
    });
  }
  return issues;
}

/** Validates an expanded config object: every problem with its key path, or the typed config. */
export function validateConfig(
  input: unknown,
  options: {
    file?: string;
    known?: KnownIds;
    issues?: ConfigIssue[];
    /** References to unset variables left as written (read-only use): a key they break says so. */
    unsetVariables?: readonly ConfigIssue[];
  } = {},
): SentryConfig {
  const prior = options.issues ?? [];
  const fail = (issues: ConfigIssue[]) =>
    new ConfigError(explainUnsetVariables(issues, options.unsetVariables ?? []), options.file);
  const parsed = configSchema.safeParse(input, READABLE_PARSE);
  if (!parsed.success) throw fail([...prior, ...zodIssues(parsed.error, input)]);
  const issues = [...prior, ...crossChecks(parsed.data, options.known ?? {})];
  if (issues.length > 0) throw fail(issues);
  return parsed.data;
}
