import { describe, expect, it } from 'vitest';
import type { PollHealth, StateStore } from '../../interfaces/state-store.js';
import { at, change, type StoreUnderTest } from './fixtures.js';

const HEALTHY: PollHealth = {
  consecutiveFailures: 0,
  lastError: null,
  lastErrorAt: null,
  failingSince: null,
};

/**
 * Poll health: the failures in a row the engine records, so `sentry-git status` can show them
 * without an engine. Writes happen only on a failure and on the first success after failures.
 */
export function describePollHealth(
  subject: StoreUnderTest,
  reopen: (() => Promise<StateStore> | StateStore) | undefined,
): void {
  describe('poll health', () => {
    it('reports a repository without failures as healthy', async () => {
      await expect(subject.store.getPollHealth('never-polled')).resolves.toEqual(HEALTHY);
      await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', null, 1)],
      });
      await expect(subject.store.getPollHealth('api')).resolves.toEqual(HEALTHY);
    });

    it('counts failures in a row: the last error and time, and when the streak began', async () => {
      const first = await subject.store.recordPollFailure('api', { error: 'host down', at: at(1) });
      expect(first).toEqual({
        consecutiveFailures: 1,
        lastError: 'host down',
        lastErrorAt: at(1),
        failingSince: at(1),
      });
      await subject.store.recordPollFailure('api', { error: 'host down', at: at(2) });
      const third = await subject.store.recordPollFailure('api', {
        error: 'HTTP 500 from forge\n  second line — kept',
        at: at(3),
      });
      const expected: PollHealth = {
        consecutiveFailures: 3,
        lastError: 'HTTP 500 from forge\n  second line — kept',
        lastErrorAt: at(3),
        failingSince: at(1),
      };
      expect(third).toEqual(expected);
      await expect(subject.store.getPollHealth('api')).resolves.toEqual(expected);
      // Other repositories are not touched.
      await expect(subject.store.getPollHealth('web')).resolves.toEqual(HEALTHY);
    });

    it('keeps failures apart from heads: a failing repository is still unseen, a detection clears nothing', async () => {
      await subject.store.recordPollFailure('new', { error: 'not found', at: at(1) });
      await expect(subject.store.getHeads('new')).resolves.toEqual({ seen: false, heads: [] });
      await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', null, 1)],
      });
      await subject.store.recordPollFailure('api', { error: 'timeout', at: at(2) });
      await subject.store.recordDetection({ repositories: ['api'], changes: [change('api', 'main', 1, 2)] });
      expect((await subject.store.getHeads('api')).heads.map((head) => head.sha)).toHaveLength(1);
      await expect(subject.store.getPollHealth('api')).resolves.toMatchObject({
        consecutiveFailures: 1,
        lastError: 'timeout',
      });
    });

    it('clears after a success, and a later failure starts a new streak', async () => {
      await subject.store.recordPollFailure('api', { error: 'host down', at: at(1) });
      await subject.store.recordPollFailure('api', { error: 'host down', at: at(2) });
      await subject.store.recordPollFailure('web', { error: 'rate limited', at: at(2) });
      await subject.store.clearPollFailures('api');
      await expect(subject.store.getPollHealth('api')).resolves.toEqual(HEALTHY);
      await expect(subject.store.getPollHealth('web')).resolves.toMatchObject({ consecutiveFailures: 1 });

      await expect(subject.store.recordPollFailure('api', { error: 'refused', at: at(9) })).resolves.toEqual({
        consecutiveFailures: 1,
        lastError: 'refused',
        lastErrorAt: at(9),
        failingSince: at(9),
      });
      // Clearing a repository that has no failures changes nothing.
      await subject.store.clearPollFailures('never-failed');
      await expect(subject.store.getPollHealth('never-failed')).resolves.toEqual(HEALTHY);
    });

    it('hands out copies and keeps none of its inputs', async () => {
      const failure = { error: 'host down', at: at(1) };
      const returned = await subject.store.recordPollFailure('api', failure);
      failure.error = 'tampered';
      returned.consecutiveFailures = 99;
      const read = await subject.store.getPollHealth('api');
      read.lastError = 'tampered';
      await expect(subject.store.getPollHealth('api')).resolves.toEqual({
        consecutiveFailures: 1,
        lastError: 'host down',
        lastErrorAt: at(1),
        failingSince: at(1),
      });
    });

    if (reopen) {
      it('keeps failures across close and reopen', async () => {
        await subject.store.recordPollFailure('api', { error: 'host down', at: at(1) });
        await subject.store.recordPollFailure('api', { error: 'still down', at: at(2) });
        await subject.store.recordPollFailure('web', { error: 'gone', at: at(2) });
        await subject.store.clearPollFailures('web');
        await subject.store.close();
        subject.store = await reopen();
        await expect(subject.store.getPollHealth('api')).resolves.toEqual({
          consecutiveFailures: 2,
          lastError: 'still down',
          lastErrorAt: at(2),
          failingSince: at(1),
        });
        await expect(subject.store.getPollHealth('web')).resolves.toEqual(HEALTHY);
        await expect(
          subject.store.recordPollFailure('api', { error: 'down', at: at(3) }),
        ).resolves.toMatchObject({ consecutiveFailures: 3, failingSince: at(1) });
      });
    }
  });
}
