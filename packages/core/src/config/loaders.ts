import type { Loaders } from 'cosmiconfig';
import { errorMessage, SentryError } from '../errors.js';
import { CONFIG_LIMITS } from './limits.js';
import { loadModuleConfig } from './load-module.js';
import { parseYamlConfig } from './parse-yaml.js';

function unreadable(file: string, problem: string, fix: string): SentryError {
  return new SentryError('CONFIG_UNREADABLE', `Cannot read ${file}: ${problem}`, { path: file, fix });
}

/** `Unexpected token } in JSON at position 34` → where that is, as a line and a column. */
function jsonPosition(content: string, message: string): string {
  const offset = /at position (\d+)/.exec(message)?.[1];
  if (offset === undefined) return '';
  const before = content.slice(0, Number(offset));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${Number(offset) - before.lastIndexOf('\n')}`;
}

function loadJson(file: string, content: string): unknown {
  if (content.length > CONFIG_LIMITS.maxBytes) {
    throw unreadable(
      file,
      `it is ${(content.length / 1024 / 1024).toFixed(1)} MB, more than the ${CONFIG_LIMITS.maxBytes / 1024 / 1024} MB a configuration may be.`,
      'Check that -c / SENTRY_CONFIG_PATH names the configuration file.',
    );
  }
  try {
    return JSON.parse(content);
  } catch (error) {
    const message = errorMessage(error);
    const what = message
      .replace(/\s*(in JSON )?at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '');
    const where = jsonPosition(content, message);
    throw unreadable(
      file,
      `JSON syntax error${where}: ${what}.`,
      where ? 'Correct the JSON at that line.' : 'Correct the JSON.',
    );
  }
}

function loadYaml(file: string, content: string): unknown {
  return parseYamlConfig(content, file);
}

/**
 * cosmiconfig's loaders, with YAML read by the bounded `yaml` reader (also for the extensionless
 * `.sentry-gitrc`, which may be YAML or JSON), JSON with its errors at a line and column, and
 * config modules loaded with errors that say what to fix; all behind the size bound.
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
