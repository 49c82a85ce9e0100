import { definePlugin, type StateStore, type StateStoreFactory } from '@sentry-git/core';
import type { PostgresStateStoreOptions } from './options.js';

export { SCHEMA_VERSION } from './migrations.js';
export type { PostgresStateStoreOptions } from './options.js';

/**
 * Opens the PostgreSQL state store: connects, brings the schema up to date (one replica at a
 * time) and returns the store. The store and its driver (pg) load on the first call, so
 * registering the plugin (the CLI always does) costs no start-up time.
 */
export async function createPostgresStateStore(options: PostgresStateStoreOptions): Promise<StateStore> {
  const { createPostgresStateStore: open } = await import('./store.js');
  return open(options);
}

/** The store behind `state: { driver: postgres, url: ... }`. */
export const postgresStateStore: StateStoreFactory = {
  id: 'postgres',
  create: (context) => createPostgresStateStore({ url: context.url ?? '' }),
};

export default definePlugin({ name: '@sentry-git/state-postgres', stateStores: [postgresStateStore] });
