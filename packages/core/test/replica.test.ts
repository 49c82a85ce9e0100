import { describe, expect, it } from 'vitest';
import { createReplica } from '../src/engine/replica.js';
import type { Coordination } from '../src/interfaces/coordination.js';
import { silentLogger } from '../src/logging.js';

/** A coordination that answers from the test's own tables, and fails while `down` is set. */
function tables() {
  const state = { live: ['r1'], down: false, balanced: [] as Array<{ share: number }> };
  const coordination: Coordination = {
    async heartbeat() {
      if (state.down) throw new Error('connect ECONNREFUSED');
      return state.live;
    },
    async balancePolls(_replica, repositories, share) {
      if (state.down) throw new Error('connect ECONNREFUSED');
      state.balanced.push({ share });
      return repositories.slice(0, share);
    },
    claimRun: async () => null,
    renewClaim: async () => true,
    releaseClaim: async () => undefined,
    unclaimedUnits: async () => [],
    leave: async () => undefined,
  };
  return { state, coordination };
}

describe('a replica', () => {
  it('takes repositories ÷ live replicas, tells the first assignment, and lets go after a lease without the store', async () => {
    const { state, coordination } = tables();
    let clock = 0;
    const assigned: Array<{ held: string[]; gained: readonly string[]; live: number }> = [];
    const renewed: number[] = [];
    const replica = createReplica({
      coordination,
      id: 'r1',
      leaseMs: 3000,
      repositories: ['a', 'b', 'c', 'd', 'e'],
      logger: silentLogger(),
      now: () => clock,
      onAssign: (held, gained, live) => assigned.push({ held: [...held], gained, live }),
      onRenewed: async () => {
        renewed.push(clock);
      },
    });

    state.live = ['r1', 'r2', 'r3'];
    await replica.join();
    expect(state.balanced.at(-1)).toEqual({ share: 2 });
    expect(assigned).toEqual([{ held: ['a', 'b'], gained: ['a', 'b'], live: 3 }]);
    expect(replica.problem()).toBeUndefined();

    // The store stops answering: the replica keeps its part until a whole lease has passed.
    state.down = true;
    clock = 2000;
    await replica.join();
    expect(replica.problem()).toContain('cannot reach the state store');
    expect(replica.held().size).toBe(2);
    clock = 3000;
    await replica.join();
    expect(replica.held().size).toBe(0);
    expect(assigned.at(-1)).toEqual({ held: [], gained: [], live: 3 });

    // Back: alone now, it polls everything.
    state.down = false;
    state.live = ['r1'];
    clock = 4000;
    await replica.join();
    expect(replica.problem()).toBeUndefined();
    expect(assigned.at(-1)).toEqual({
      held: ['a', 'b', 'c', 'd', 'e'],
      gained: ['a', 'b', 'c', 'd', 'e'],
      live: 1,
    });
    expect(renewed).toEqual([0, 4000]);
  });

  it('tells an empty first assignment too, so the scheduler parks what others poll', async () => {
    const { state, coordination } = tables();
    state.live = ['r1', 'r2'];
    const assigned: string[][] = [];
    const replica = createReplica({
      coordination: { ...coordination, balancePolls: async () => [] },
      id: 'r2',
      leaseMs: 3000,
      repositories: ['a'],
      logger: silentLogger(),
      onAssign: (held) => assigned.push([...held]),
      onRenewed: async () => undefined,
    });
    await replica.join();
    expect(assigned).toEqual([[]]);
  });
});
