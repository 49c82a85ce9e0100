import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../interfaces/state-store.js';
import { describeControl } from './control.js';
import { describeDetection } from './detection.js';
import { describeDurability } from './durability.js';
import type { StoreUnderTest } from './fixtures.js';
import { describeHeads } from './heads.js';
import { describeIsolation } from './isolation.js';
import { describePollHealth } from './poll-health.js';
import { describeQueue } from './queue.js';
import { describeRecovery } from './recovery.js';
import { describeRuns } from './runs.js';
import { describeSharing } from './sharing.js';
import { describeTransfer } from './transfer.js';

export interface StateStoreSuiteOptions {
  /** Shown in the suite's title. */
  name?: string;
  /** A new, empty store (each test gets its own). */
  create(): Promise<StateStore> | StateStore;
  /** reopen the same storage (durable stores only) */
  reopen?(): Promise<StateStore> | StateStore;
  /**
   * For a store several replicas share (it has `coordination`): ends every registration, poll
   * lease and run claim it holds now, as if their lease had run out, so the sharing tests need
   * not wait for one.
   */
  lapse?(store: StateStore): Promise<void>;
}

/**
 * The StateStore contract as tests, one file per concern beside this one. Every store,
 * first-party or plugin, runs it:
 * `describeStateStore({ name: 'my store', create: () => createMyStore() })`.
 */
export function describeStateStore(options: StateStoreSuiteOptions): void {
  describe(`StateStore conformance: ${options.name ?? 'state store'}`, () => {
    // Filled before each test; durability tests replace it with the reopened store.
    const subject = {} as StoreUnderTest;
    const reopen = options.reopen ? () => options.reopen!() : undefined;

    beforeEach(async () => {
      subject.store = await options.create();
    });

    afterEach(async () => {
      await subject.store.close();
    });

    it('has an id and declares whether it is durable', () => {
      expect(typeof subject.store.id).toBe('string');
      expect(subject.store.id.length).toBeGreaterThan(0);
      expect(typeof subject.store.capabilities.durable).toBe('boolean');
    });

    describeHeads(subject);
    describeDetection(subject);
    describeRuns(subject);
    describeQueue(subject);
    describeRecovery(subject);
    describeControl(subject);
    describePollHealth(subject, reopen);
    describeIsolation(subject);
    describeTransfer(subject, () => options.create());
    if (reopen) describeDurability(subject, reopen);
    if (options.lapse) describeSharing(subject, () => options.lapse!(subject.store));
  });
}
