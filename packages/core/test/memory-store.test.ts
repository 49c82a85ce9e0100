import { createMemoryStateStore } from '../src/state/memory.js';
import { describeStateStore } from '../src/testing/index.js';

describeStateStore({ name: 'memory', create: () => createMemoryStateStore() });
