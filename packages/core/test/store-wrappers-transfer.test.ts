import { describe, expect, it } from 'vitest';
import { withHeadCache } from '../src/engine/head-cache.js';
import { createMemoryStateStore, createRedactor, type StateRecord } from '../src/index.js';
import { createEventBus, observeStateWrites } from '../src/internal.js';

const AT = '2026-01-05T10:00:00.000Z';
const SHA = 'b'.repeat(40);

describe('the engine store wrappers (write health, head cache) and export / import', () => {
  it('hand out exportState as an async iterable, and drop cached heads on an import', async () => {
    const inner = createMemoryStateStore();
    const store = observeStateWrites(withHeadCache(inner), { bus: createEventBus(createRedactor([])) });
    // Cached as unseen before the import.
    await expect(store.getHeads('app')).resolves.toEqual({ seen: false, heads: [] });
    const records: StateRecord[] = [
      { type: 'repository', name: 'app', seenAt: AT },
      { type: 'head', repository: 'app', branch: 'main', sha: SHA, deployedSha: SHA, updatedAt: AT },
    ];
    await store.importState!(records);
    await expect(store.getHeads('app')).resolves.toMatchObject({ seen: true, heads: [{ sha: SHA }] });

    const exported = store.exportState!();
    expect(typeof exported[Symbol.asyncIterator]).toBe('function');
    const read: StateRecord[] = [];
    for await (const record of exported) read.push(record);
    expect(read).toEqual(records);
  });
});
