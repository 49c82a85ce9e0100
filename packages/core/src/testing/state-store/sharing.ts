import { describe, expect, it } from 'vitest';
import type { Coordination } from '../../interfaces/coordination.js';
import { at, change, job, queue, type StoreUnderTest, sha, spec } from './fixtures.js';

const LEASE = 60_000;
const CLAIM = { leaseMs: LEASE, policy: 'requeue' as const, now: at(9) };

function coordinationOf(subject: StoreUnderTest): Coordination {
  const coordination = subject.store.coordination;
  if (!coordination) throw new Error('a store declared shared must have `coordination`');
  return coordination;
}

/**
 * What a store several replicas share promises beyond the single-process contract: detected
 * changes are compared with the stored heads, poll leases are shared out, a unit's runs are
 * claimed by one replica at a time, and writes under a lost claim are refused. `lapse` makes a
 * store's leases expire at once (tests cannot wait for a lease).
 */
export function describeSharing(subject: StoreUnderTest, lapse: () => Promise<void>): void {
  describe('sharing between replicas', () => {
    it('records a change only over the head it was read from, and says which were dropped', async () => {
      const { store } = subject;
      await store.recordDetection({ repositories: ['api'], changes: [change('api', 'main', null, 1)] });
      await store.recordDetection({ repositories: [], changes: [change('api', 'main', 1, 2)] });
      // A second replica saw the same move (already recorded), and a slower one an older head.
      const result = await store.recordDetection({
        repositories: [],
        changes: [change('api', 'main', 1, 2), change('api', 'dev', null, 5)],
        run: spec('run-1', [job('job-1', 'api', 'main', 2, 1), job('job-2', 'api', 'dev', 5)]),
      });
      expect(result.dropped?.changes.map((c) => c.branch)).toEqual(['main']);
      expect(result.dropped?.stale).toEqual([]);
      expect(result.run?.jobs.map((j) => j.id)).toEqual(['job-2']);
      const stale = await store.recordDetection({
        repositories: [],
        changes: [change('api', 'main', 1, 3)],
        run: spec('run-2', [job('job-3', 'api', 'main', 3, 1)]),
      });
      expect(stale).toMatchObject({ run: null, dropped: { stale: ['api'] } });
      expect((await store.getHeads('api')).heads.map((h) => [h.branch, h.sha])).toEqual([
        ['dev', sha(5)],
        ['main', sha(2)],
      ]);
      const baseline = await store.recordDetection({
        repositories: ['api'],
        changes: [{ ...change('api', 'main', null, 9), kind: 'baseline' }],
      });
      expect(baseline.dropped?.changes).toHaveLength(1);
    });

    it('shares the poll leases: a replica holds its share, gives back the rest, takes lapsed ones', async () => {
      const coordination = coordinationOf(subject);
      const repos = ['a', 'b', 'c', 'd', 'e'];
      expect(await coordination.heartbeat('r1', LEASE)).toEqual(['r1']);
      expect(await coordination.balancePolls('r1', repos, 5, LEASE)).toEqual(repos);
      expect(await coordination.heartbeat('r2', LEASE)).toEqual(['r1', 'r2']);
      expect(await coordination.balancePolls('r2', repos, 3, LEASE)).toEqual([]);
      const first = await coordination.balancePolls('r1', repos, 3, LEASE);
      expect(first).toHaveLength(3);
      const second = await coordination.balancePolls('r2', repos, 3, LEASE);
      expect([...first, ...second].sort()).toEqual(repos);
      await lapse();
      expect(await coordination.heartbeat('r2', LEASE)).toEqual(['r2']);
      expect(await coordination.balancePolls('r2', repos, 5, LEASE)).toEqual(repos);
      await coordination.leave('r2');
      expect(await coordination.balancePolls('r3', repos, 5, LEASE)).toEqual(repos);
    });

    it('claims a unit for one replica at a time, in queue order, and fences the claim before', async () => {
      const coordination = coordinationOf(subject);
      const { store } = subject;
      await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1)], { createdAt: at(1) }));
      const claim = await coordination.claimRun('group:web', 'r1', CLAIM);
      // Queued while run-1 runs: a run of its own, next in line.
      await queue(store, spec('run-2', [job('job-2', 'web', 'main', 2)], { createdAt: at(2) }));
      expect(claim).toMatchObject({ unit: 'group:web', replica: 'r1', recovered: false });
      expect(claim?.run).toMatchObject({ id: 'run-1', status: 'running' });
      expect(await coordination.claimRun('group:web', 'r2', CLAIM)).toBeNull();
      expect(await coordination.unclaimedUnits()).toEqual([]);
      await store.updateJob('job-1', { status: 'running', handle: { executor: 'shell', pid: 1 } }, claim!);
      expect(await coordination.renewClaim(claim!, LEASE)).toBe(true);

      await lapse();
      expect(await coordination.unclaimedUnits()).toEqual(['group:web']);
      const taken = await coordination.claimRun('group:web', 'r2', CLAIM);
      expect(taken).toMatchObject({ replica: 'r2', recovered: true, run: { id: 'run-1', attempts: 1 } });
      expect(taken!.epoch).toBeGreaterThan(claim!.epoch);
      expect(taken!.run.jobs[0]).toMatchObject({ status: 'queued', handle: { executor: 'shell', pid: 1 } });
      // The first replica, back from a pause: nothing it writes counts any more.
      expect(await coordination.renewClaim(claim!, LEASE)).toBe(false);
      await expect(store.updateJob('job-1', { status: 'succeeded' }, claim!)).rejects.toMatchObject({
        code: 'CLAIM_LOST',
      });
      await expect(store.updateRun('run-1', { status: 'failed' }, claim!)).rejects.toMatchObject({
        code: 'CLAIM_LOST',
      });
      await expect(store.markDeployed('api', 'main', sha(1), claim!)).rejects.toMatchObject({
        code: 'CLAIM_LOST',
      });
      await coordination.releaseClaim(claim!);
      expect((await store.getRun('run-1'))?.jobs[0]?.status).toBe('queued');
      expect(await coordination.claimRun('group:web', 'r1', CLAIM)).toBeNull();

      await store.updateRun('run-1', { status: 'succeeded' }, taken!);
      await coordination.releaseClaim(taken!);
      const next = await coordination.claimRun('group:web', 'r1', CLAIM);
      expect(next?.run.id).toBe('run-2');
      await store.updateRun('run-2', { status: 'succeeded' }, next!);
      await coordination.releaseClaim(next!);
      expect(await coordination.claimRun('group:web', 'r1', CLAIM)).toBeNull();
      expect(await coordination.unclaimedUnits()).toEqual([]);
    });

    it('starts no queued run of a paused unit until it is resumed, and still takes over one left running', async () => {
      const coordination = coordinationOf(subject);
      const { store } = subject;
      const pause = { by: 'ops', at: at(5), reason: 'freeze' };
      await queue(store, spec('run-1', [job('job-1', 'api', 'main', 1)], { createdAt: at(1) }));
      await queue(store, spec('other', [job('job-o', 'docs', 'main', 2)], { unit: 'repository:docs' }));
      await store.setPause('group:web', pause);
      expect(await coordination.unclaimedUnits()).toEqual(['repository:docs']);
      expect(await coordination.claimRun('group:web', 'r1', CLAIM)).toBeNull();
      expect((await store.getRun('run-1'))?.status).toBe('queued');

      await store.setPause('group:web', null);
      expect(await coordination.unclaimedUnits()).toEqual(['group:web', 'repository:docs']);
      const claim = await coordination.claimRun('group:web', 'r1', CLAIM);
      expect(claim?.run).toMatchObject({ id: 'run-1', status: 'running' });

      // Paused while run-1 runs: it goes on. Its replica stops answering: another takes it over,
      // but not the run queued behind it.
      await queue(store, spec('run-2', [job('job-2', 'web', 'main', 3)], { createdAt: at(2) }));
      await store.setPause('group:web', pause);
      await lapse();
      expect(await coordination.unclaimedUnits()).toEqual(['group:web', 'repository:docs']);
      const taken = await coordination.claimRun('group:web', 'r2', CLAIM);
      expect(taken).toMatchObject({
        replica: 'r2',
        recovered: true,
        run: { id: 'run-1', status: 'running' },
      });
      await store.updateRun('run-1', { status: 'succeeded', finishedAt: at(10) }, taken!);
      await coordination.releaseClaim(taken!);
      expect(await coordination.unclaimedUnits()).toEqual(['repository:docs']);
      expect(await coordination.claimRun('group:web', 'r2', CLAIM)).toBeNull();
      expect((await store.getRun('run-2'))?.status).toBe('queued');

      await store.setPause('group:web', null);
      expect(await coordination.claimRun('group:web', 'r2', CLAIM)).toMatchObject({ run: { id: 'run-2' } });
    });
  });
}
