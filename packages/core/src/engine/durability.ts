import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';

/**
 * A store that forgets on exit (`capabilities.durable: false`, e.g. `memory`) is fine for a test
 * or a one-off poll, but a watching engine on it loses every head and the run history at a
 * restart: its first poll then baselines again and deploys nothing pushed while it was down.
 * Said once, when the engine starts watching, with the fix.
 */
export function warnIfNotDurable(store: StateStore, logger: Logger): void {
  if (store.capabilities.durable) return;
  logger.warn(
    { stateStore: store.id },
    `state store "${store.id}" is not durable: a restart forgets every head and the run history, so the first poll after it records a baseline again and deploys nothing pushed meanwhile. Fix: state.driver: sqlite (the CLI's default; a program embedding the engine adds the @sentry-git/state-sqlite plugin).`,
  );
}
