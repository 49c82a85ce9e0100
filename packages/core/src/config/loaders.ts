import type { Loaders } from 'cosmiconfig';
import { errorMessage } from '../errors.js';
import { loadModuleConfig } from './load-module.js';
import { parseYamlConfig } from './parse-yaml.js';
import { shareEqualStrings } from './share-strings.js';
import { checkFileSize, lineAndColumn, unreadable } from './unreadable.js';

/** `Unexpected token } in JSON at position 34` → where that is, as a line and a column. */
function jsonPosition(content: string, message: string): string {
  const offset = /at position (\d+)/.exec(message)?.[1];
  return offset === undefined ? '' : ` at ${lineAndColumn(content, Number(offset))}`;
}

function loadJson(file: string, content: string): unknown {
  checkFileSize(file, content.length);
  try {
    return shareEqualStrings(JSON.parse(content));
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
