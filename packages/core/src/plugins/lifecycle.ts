import { errorMessage, SentryError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { SentryPlugin } from './define.js';
import type { PluginHost, PluginLifecycle, PluginSetupResult } from './host.js';

/** The plugins set up by one engine, ended together by its `close()`. */
export interface PluginLifecycles {
  /**
   * For each plugin in the reverse order of setup: `flush()` then `close(graceMs)`. A plugin
   * that fails to close is reported as an `error` event; the others still close.
   */
  close(graceMs: number): Promise<void>;
}

/** A plugin written for the engine argument of earlier versions fails with a TypeError (`host.on is not a function`). */
const HOST_FIX =
  'setup() receives a PluginHost (config, logger, redactor, events, pollNow, trigger), not the engine: subscribe with host.events.on(...).';

function lifecycleOf(result: PluginSetupResult): PluginLifecycle {
  if (typeof result === 'function') return { close: result };
  return result ?? {};
}

/**
 * Calls each plugin's `setup(host)` in order. When one throws, the plugins already set up are
 * closed and the error is PLUGIN_SETUP_FAILED naming the plugin.
 */
export async function setupPlugins(
  plugins: readonly SentryPlugin[],
  host: PluginHost,
  bus: EventBus,
): Promise<PluginLifecycles> {
  const started: Array<{ name: string; lifecycle: PluginLifecycle }> = [];
  const lifecycles: PluginLifecycles = {
    async close(graceMs) {
      for (const { name, lifecycle } of started.splice(0).reverse()) {
        try {
          await lifecycle.flush?.();
          await lifecycle.close?.(graceMs);
        } catch (error) {
          bus.emit('error', {
            error: error instanceof Error ? error : new Error(String(error)),
            context: `closing plugin "${name}"`,
          });
        }
      }
    },
  };
  for (const plugin of plugins) {
    if (!plugin.setup) continue;
    try {
      started.push({ name: plugin.name, lifecycle: lifecycleOf(await plugin.setup(host)) });
    } catch (error) {
      await lifecycles.close(0);
      throw new SentryError(
        'PLUGIN_SETUP_FAILED',
        `Plugin "${plugin.name}" failed in setup(): ${errorMessage(error)}`,
        {
          cause: error,
          path: plugin.name,
          ...(error instanceof TypeError ? { fix: HOST_FIX } : {}),
        },
      );
    }
  }
  return lifecycles;
}
