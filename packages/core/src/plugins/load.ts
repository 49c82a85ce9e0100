import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginSpec } from '../config/schema.js';
import { docsHint } from '../docs.js';
import { errorMessage, SentryError } from '../errors.js';
import type { PluginExport, SentryPlugin } from './define.js';

const LISTS = {
  providers: ['listHeads'],
  executors: ['execute'],
  strategies: ['run'],
  stateStores: ['create'],
} as const;

function fail(name: string, problem: string, cause?: unknown): never {
  throw new SentryError('PLUGIN_LOAD_FAILED', `Plugin "${name}" ${problem}`, {
    path: name,
    cause,
    fix: `Check the plugins entry in the configuration; a plugin module must \`export default definePlugin({ name, ... })\` (${docsHint('plugins', 'The plugin object: definePlugin()')}).`,
  });
}

/** Checks the shape of what a plugin module exported, naming the plugin and the bad part. */
export function assertPlugin(value: unknown, name: string): SentryPlugin {
  if (!value || typeof value !== 'object')
    fail(name, `did not export a plugin object (got ${value === null ? 'null' : typeof value}).`);
  const plugin = value as Record<string, unknown>;
  if (typeof plugin.name !== 'string' || plugin.name.length === 0) fail(name, 'has no "name" string.');
  for (const [list, methods] of Object.entries(LISTS)) {
    const items = plugin[list];
    if (items === undefined) continue;
    if (!Array.isArray(items)) fail(name, `"${list}" must be an array.`);
    items.forEach((item: unknown, index: number) => {
      const entry = item as Record<string, unknown> | null;
      if (!entry || typeof entry.id !== 'string' || entry.id.length === 0)
        fail(name, `${list}[${index}] has no "id" string.`);
      for (const method of methods) {
        if (typeof entry[method] !== 'function')
          fail(name, `${list}[${index}] ("${entry.id}") has no ${method}() function.`);
      }
    });
  }
  if (plugin.setup !== undefined && typeof plugin.setup !== 'function')
    fail(name, '"setup" must be a function.');
  return value as SentryPlugin;
}

function isPath(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec) || spec.startsWith('file:');
}

async function importModule(spec: string, configDir: string): Promise<Record<string, unknown>> {
  if (isPath(spec)) {
    const url = spec.startsWith('file:') ? spec : pathToFileURL(path.resolve(configDir, spec)).href;
    return import(url);
  }
  // Resolve a package from the config's folder first (a plugin installed beside the config),
  // then from sentry-git's own installation.
  let resolved: string | undefined;
  try {
    resolved = createRequire(path.join(configDir, 'noop.js')).resolve(spec);
  } catch {
    resolved = undefined;
  }
  return resolved ? import(pathToFileURL(resolved).href) : import(spec);
}

/** Loads the plugins listed in a configuration, in order. One place, one error format. */
export async function loadPlugins(
  specs: readonly PluginSpec[],
  options: { configDir: string },
): Promise<SentryPlugin[]> {
  const plugins: SentryPlugin[] = [];
  for (const spec of specs) {
    const [name, pluginOptions] = typeof spec === 'string' ? [spec, {}] : spec;
    let module: Record<string, unknown>;
    try {
      module = await importModule(name, options.configDir);
    } catch (error) {
      fail(name, `could not be loaded: ${errorMessage(error)}.`, error);
    }
    const exported = (module.default ?? module.plugin) as PluginExport | undefined;
    if (exported === undefined) fail(name, 'has no default export.');
    let plugin: unknown = exported;
    if (typeof exported === 'function') {
      try {
        plugin = await exported(pluginOptions);
      } catch (error) {
        fail(name, `failed while starting: ${errorMessage(error)}.`, error);
      }
    }
    plugins.push(assertPlugin(plugin, name));
  }
  return plugins;
}
