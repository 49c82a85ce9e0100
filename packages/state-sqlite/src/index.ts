import path from 'node:path';
import { definePlugin, type StateStoreFactory } from '@sentry-git/core';
import { createSqliteStateStore } from './store.js';

export { SCHEMA_VERSION } from './migrations.js';
export { createSqliteStateStore, type SqliteStateStoreOptions } from './store.js';

/** Where the database lives without `state.path`, relative to the configuration's folder. */
export const DEFAULT_DATABASE_PATH = path.join('.sentry-git', 'state.db');

/**
 * The store behind `state: { type: sqlite }`, the durable default. Without `state.path` the
 * database lives beside the configuration, in `.sentry-git/state.db`.
 */
export const sqliteStateStore: StateStoreFactory = {
  id: 'sqlite',
  create: (context) =>
    createSqliteStateStore({
      path: context.path ?? path.join(context.configDir, DEFAULT_DATABASE_PATH),
      configDir: context.configDir,
    }),
};

export default definePlugin({ name: '@sentry-git/state-sqlite', stateStores: [sqliteStateStore] });
