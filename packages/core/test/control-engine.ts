import { onTestFinished } from 'vitest';
import { createSentry, type Logger, type Sentry, type StateStore } from '../src/index.js';
import { forgeRepository, type ScriptedForge } from '../src/testing/index.js';

export const SHA = (digit: string) => digit.repeat(40);

/** One standalone repository `app` (main, release/*) and a sequential group `site` of `web` and `api`. */
export async function controlEngine(
  forge: ScriptedForge,
  options: { stateStore?: StateStore; secrets?: string[]; logger?: Logger } = {},
): Promise<Sentry> {
  const monitor = { branches: ['main', 'release/.*'] };
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      groups: { site: { execution_strategy: 'sequential', continue_on_error: true } },
      repositories: [
        forgeRepository('app', { monitor }),
        forgeRepository('web', { group: 'site', monitor }),
        forgeRepository('api', { group: 'site', monitor }),
      ],
    },
    plugins: [forge.plugin],
    env: {},
    ...options,
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}
