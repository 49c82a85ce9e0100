import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { cosmiconfig } from 'cosmiconfig';
import { docsHint } from '../docs.js';
import { ConfigError, type ConfigIssue, errorMessage, SentryError } from '../errors.js';
import { urlPasswords } from '../url-credentials.js';
import { expandEnv, explainUnsetVariables, secretsFromEnv } from './expand.js';
import { checkConfigTree } from './limits.js';
import { CONFIG_LOADERS } from './loaders.js';
import type { SentryConfig } from './schema.js';
import { type ConfigSource, isSimpleSentryConfig, translateSimpleSentry } from './simple-sentry.js';
import { checkFileSize } from './unreadable.js';
import { type KnownIds, validateConfig } from './validate.js';

export const MODULE_NAME = 'sentry-git';

/** Where cosmiconfig looks, in order; `sentry.yaml` / `sentry.yml` are the original Sentry's names. */
export const SEARCH_PLACES = [
  'package.json',
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `${MODULE_NAME}.yaml`,
  `${MODULE_NAME}.yml`,
  `${MODULE_NAME}.json`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.ts`,
  'sentry.yaml',
  'sentry.yml',
];

export interface LoadConfigOptions {
  /** Explicit file (`-c`); else `SENTRY_CONFIG_PATH`; else a search from `cwd`. */
  file?: string | undefined;
  /** @default process.cwd() */
  cwd?: string;
  /** Variables for `${VAR}` / `$VAR` expansion. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Installed plugin ids, to check references to them. */
  known?: KnownIds;
  /**
   * For read-only use (`status`, `runs`): a reference to an unset variable is left as written
   * instead of failing, and everything else is still validated. The values that need those
   * variables (tokens, secrets) must then not be used: nothing here reaches a forge or a cluster.
   * A key whose check fails because its variable is unset still reports the unset variable.
   * @default false
   */
  allowUnsetVariables?: boolean;
}

export interface LoadedConfig {
  config: SentryConfig;
  /** Absolute path of the file read. */
  file: string;
  /** Its folder: relative paths in the config resolve against it. */
  dir: string;
  /** Variables from the `.env` beside the file (already used for expansion). */
  dotenv: Record<string, string>;
  /** Secret values to redact: tokens and values of secret-looking variables. */
  secrets: string[];
  /** Which format the file was written in, and how a translated one was read. */
  source: ConfigSource;
  /** With `allowUnsetVariables`: the references left as written because their variable is unset. */
  unsetVariables: ConfigIssue[];
}

const NATIVE_SOURCE: ConfigSource = { format: 'sentry-git', mapping: [] };

interface ExpandOptions {
  file?: string;
  known?: KnownIds;
  allowUnsetVariables?: boolean;
}

interface Expanded {
  config: SentryConfig;
  secrets: string[];
  source: ConfigSource;
  unsetVariables: ConfigIssue[];
}

/**
 * Expands `${VAR}` and `$VAR`, reads the simplified Sentry's format as the native one, and
 * validates: every problem at once, with the key paths of the file as written.
 */
function expandAndValidate(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
  options: ExpandOptions,
): Expanded {
  const tree = checkConfigTree(raw);
  if (tree) throw new ConfigError([tree], options.file);
  const expanded = expandEnv(raw, env);
  const unsetVariables = options.allowUnsetVariables ? expanded.unset : [];
  const blocking = expanded.issues.filter((issue) => !unsetVariables.includes(issue));
  let input = expanded.value;
  let source = NATIVE_SOURCE;
  if (isSimpleSentryConfig(input)) {
    const translated = translateSimpleSentry(input);
    if (!translated.ok || blocking.length > 0) {
      const issues = [...blocking, ...(translated.ok ? [] : translated.issues)];
      throw new ConfigError(explainUnsetVariables(issues, unsetVariables), options.file);
    }
    input = translated.config;
    source = translated.source;
  }
  const config = validateConfig(input, {
    file: options.file,
    known: options.known,
    issues: blocking,
    unsetVariables,
  });
  return {
    config,
    source,
    unsetVariables,
    secrets: [...new Set([...collectSecrets(config), ...expanded.secrets, ...secretsFromEnv(env)])],
  };
}

function readDotenv(dir: string): Record<string, string> {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return {};
  checkFileSize(file, statSync(file).size);
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new SentryError('CONFIG_DOTENV_INVALID', `Cannot read ${file}: ${errorMessage(error)}.`, {
      path: file,
      fix: 'Write one NAME=value per line.',
    });
  }
}

/** Collects every credential in the (expanded) config so it can be redacted everywhere. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function collectSecrets(config: unknown): string[] {
  const found: string[] = [];
  function walk(value: unknown, key: string | undefined): void {
    if (typeof value === 'string') {
      if (key && /token|password|secret/i.test(key) && value) found.push(value);
      // A password written into a URL (state.url: postgres://user:password@host/db) is one too.
      for (const inUrl of urlPasswords(value)) found.push(...new Set([inUrl, safeDecode(inUrl)]));
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, undefined);
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  }
  walk(config, undefined);
  return found;
}

async function locate(options: LoadConfigOptions): Promise<{ file: string; raw: unknown }> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    loaders: CONFIG_LOADERS,
  });
  const explicit = options.file ?? env.SENTRY_CONFIG_PATH;
  try {
    if (explicit) {
      const file = path.resolve(cwd, explicit);
      if (!existsSync(file)) {
        throw new SentryError('CONFIG_NOT_FOUND', `Configuration file ${file} does not exist.`, {
          path: file,
          fix: 'Check the path given with -c or SENTRY_CONFIG_PATH.',
        });
      }
      checkFileSize(file, statSync(file).size);
      const result = await explorer.load(file);
      return { file, raw: result?.config ?? {} };
    }
    const result = await explorer.search(cwd);
    if (!result) {
      throw new SentryError(
        'CONFIG_NOT_FOUND',
        `No sentry-git configuration found in ${cwd} (looked for ${SEARCH_PLACES.filter((p) => p !== 'package.json').join(', ')} and a "${MODULE_NAME}" key in package.json).`,
        {
          fix: `Create sentry.yaml (${docsHint('configuration', 'Examples')}), pass -c FILE, or set SENTRY_CONFIG_PATH.`,
        },
      );
    }
    return { file: result.filepath, raw: result.config };
  } catch (error) {
    if (error instanceof SentryError) throw error;
    // cosmiconfig's JSON parser names the file and shows the line; other errors name neither.
    const file = (error as { filepath?: unknown }).filepath;
    const message = errorMessage(error);
    const where = typeof file === 'string' && !message.includes(file) ? ` ${file}` : '';
    throw new SentryError('CONFIG_UNREADABLE', `Cannot read the configuration${where}: ${message}`, {
      cause: error,
      ...(typeof file === 'string' ? { path: file } : {}),
      fix: 'Correct the file at the line shown.',
    });
  }
}

/**
 * Finds, reads, expands and validates the configuration. Throws `ConfigError` listing every
 * problem with its key path; nothing is returned half-valid.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const { file, raw } = await locate(options);
  const dir = path.dirname(file);
  const dotenv = readDotenv(dir);
  // Variables already in the environment win over .env, as with dotenv.
  const env = { ...dotenv, ...(options.env ?? process.env) };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      [
        {
          path: '',
          message:
            'the configuration must be a mapping of keys (polling_interval, groups, repositories, global, ...).',
        },
      ],
      file,
    );
  }
  const { config, secrets, source, unsetVariables } = expandAndValidate(raw, env, {
    file,
    known: options.known,
    allowUnsetVariables: options.allowUnsetVariables,
  });
  resolveRelativePaths(config, dir);
  return { config, file, dir, dotenv, secrets, source, unsetVariables };
}

function isRelativePath(value: string): boolean {
  return value.startsWith('./') || value.startsWith('../') || value === '.' || value === '..';
}

/** A file path as a user writes it: `~/x` is in the home folder, a relative path is next to the config. */
function resolveUserPath(value: string, dir: string): string {
  if (value === '~' || value.startsWith('~/')) return path.join(os.homedir(), value.slice(1));
  return path.resolve(dir, value);
}

/**
 * Relative local paths in a config (repository paths, state file) mean "next to the config
 * file", whatever the working directory of the process.
 */
export function resolveRelativePaths(config: SentryConfig, dir: string): void {
  if (config.state.path && !path.isAbsolute(config.state.path))
    config.state.path = path.resolve(dir, config.state.path);
  if (config.global.tmp_dir && !path.isAbsolute(config.global.tmp_dir))
    config.global.tmp_dir = path.resolve(dir, config.global.tmp_dir);
  for (const repo of config.repositories) {
    if (isRelativePath(repo.monitor.repo_url))
      repo.monitor.repo_url = path.resolve(dir, repo.monitor.repo_url);
    if (repo.deploy.qa_repo_url && isRelativePath(repo.deploy.qa_repo_url))
      repo.deploy.qa_repo_url = path.resolve(dir, repo.deploy.qa_repo_url);
    const tekton = repo.deploy.tekton;
    if (tekton?.kubeconfig) tekton.kubeconfig = resolveUserPath(tekton.kubeconfig, dir);
  }
}

/** Validates a config given as an object (library use): expansion, schema and cross checks. */
export function resolveConfig(
  input: unknown,
  options: { env?: Readonly<Record<string, string | undefined>>; known?: KnownIds } = {},
): { config: SentryConfig; secrets: string[]; source: ConfigSource } {
  const { config, secrets, source } = expandAndValidate(input, options.env ?? process.env, {
    known: options.known,
  });
  return { config, secrets, source };
}
