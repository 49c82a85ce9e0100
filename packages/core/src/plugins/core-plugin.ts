import { memoryStateStore } from '../state/memory.js';
import { parallelStrategy } from '../strategies/parallel.js';
import { sequentialStrategy } from '../strategies/sequential.js';
import { definePlugin } from './define.js';

/** What core itself provides: the two built-in strategies and the in-memory state store. */
export const corePlugin = definePlugin({
  name: '@sentry-git/core',
  strategies: [parallelStrategy, sequentialStrategy],
  stateStores: [memoryStateStore],
});
