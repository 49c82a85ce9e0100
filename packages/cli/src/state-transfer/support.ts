import { engineLockedDetails, engineLockedError, SentryError, type StateStore } from '@sentry-git/core';

const DURABLE_STORES =
  'Use a durable store: --state-driver sqlite (with --state-path FILE) or postgres (with --state-url URL), or set state.driver in the configuration.';

/**
 * Refuses a store the command cannot use: one without the method (a plugin's store may lack
 * them), or the memory store, whose state lives and dies with this one command.
 */
export function assertTransferable(store: StateStore, direction: 'export' | 'import', where: string): void {
  const method = direction === 'export' ? store.exportState : store.importState;
  if (!method) {
    throw new SentryError(
      'STATE_TRANSFER_UNSUPPORTED',
      `The ${store.id} state store (${where}) has no ${direction}State: its state cannot be ${direction === 'export' ? 'exported' : 'imported into it'}.`,
      {
        fix: `Ask the plugin's author for exportState and importState (docs/plugins.md), or ${DURABLE_STORES.charAt(0).toLowerCase()}${DURABLE_STORES.slice(1)}`,
      },
    );
  }
  if (!store.capabilities.durable) {
    throw new SentryError(
      'STATE_TRANSFER_UNSUPPORTED',
      direction === 'export'
        ? `The ${store.id} state store keeps nothing between commands: this one starts empty, so there is nothing to export.`
        : `The ${store.id} state store keeps nothing between commands: what this one imported would be gone when it exits.`,
      { fix: DURABLE_STORES },
    );
  }
}

/**
 * The engine lock, held while importing: an import replaces the state a running engine works
 * from. A running engine is named with what to do about it (stop it first).
 */
export async function takeImportLock(store: StateStore): Promise<() => Promise<void>> {
  if (!store.acquireEngineLock) return async () => undefined;
  try {
    return await store.acquireEngineLock('state import');
  } catch (error) {
    const locked = engineLockedDetails(error);
    if (!locked || locked.sameProcess) throw error;
    const { resource, ...holder } = locked;
    throw engineLockedError({
      resource,
      holder,
      advice: [
        `An import replaces the state that engine works from: stop it first (kill ${holder.pid}, SIGTERM: running jobs get global.shutdown_grace to finish; on Kubernetes, scale the Deployment to 0), then import again.`,
        '`sentry-git state export`, `status` and `runs` only read the state: they are safe beside it.',
      ],
    });
  }
}
