import { defaultLoaders, type Loaders } from 'cosmiconfig';
import { SentryError } from '../errors.js';
import { CONFIG_LIMITS } from './limits.js';
import { loadModuleConfig } from './load-module.js';
import { parseYamlConfig } from './parse-yaml.js';

function loadJson(file: string, content: string): unknown {
  if (content.length > CONFIG_LIMITS.maxBytes) {
    throw new SentryError(
      'CONFIG_UNREADABLE',
      `Cannot read ${file}: it is ${(content.length / 1024 / 1024).toFixed(1)} MB, more than the ${CONFIG_LIMITS.maxBytes / 1024 / 1024} MB a configuration may be.`,
      { path: file, fix: 'Check that -c / SENTRY_CONFIG_PATH names the configuration file.' },
    );
  }
  return defaultLoaders['.json'](file, content);
}

function loadYaml(file: string, content: string): unknown {
  return parseYamlConfig(content, file);
}

/**
 * cosmiconfig's loaders, with YAML read by the bounded `yaml` reader (also for the extensionless
 * `.sentry-gitrc`, which may be YAML or JSON) and config modules loaded with errors that say what
 * to fix. JSON keeps cosmiconfig's parser (its errors show the line), behind the size bound.
 */
export const CONFIG_LOADERS = {
  '.yaml': loadYaml,
  '.yml': loadYaml,
  noExt: loadYaml,
  '.json': loadJson,
  '.js': loadModuleConfig,
  '.mjs': loadModuleConfig,
  '.cjs': loadModuleConfig,
  '.ts': loadModuleConfig,
  '.mts': loadModuleConfig,
  '.cts': loadModuleConfig,
} satisfies Partial<Loaders>;
