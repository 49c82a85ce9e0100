import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

const requireFromHere = createRequire(import.meta.url);

/**
 * better-sqlite3, required when a store opens rather than imported at the top: registering the
 * plugin (every CLI command does) must not load the driver. A synchronous require keeps
 * `createSqliteStateStore()` synchronous; Node's module cache makes later calls free.
 */
export function sqliteDriver(): typeof Database {
  return requireFromHere('better-sqlite3') as typeof Database;
}
