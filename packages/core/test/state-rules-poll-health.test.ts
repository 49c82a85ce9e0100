import { describe, expect, it } from 'vitest';
import { noPollFailures, planPollFailure, runQueryOf } from '../src/state/rules/index.js';
import { at } from '../src/testing/state-store/fixtures.js';

describe('planPollFailure', () => {
  it('starts a streak at the first failure', () => {
    expect(planPollFailure(noPollFailures(), { error: 'host down', at: at(1) })).toEqual({
      consecutiveFailures: 1,
      lastError: 'host down',
      lastErrorAt: at(1),
      failingSince: at(1),
    });
  });

  it('counts on: the last error and time change, the streak’s start stays', () => {
    const first = planPollFailure(noPollFailures(), { error: 'host down', at: at(1) });
    const second = planPollFailure(first, { error: 'HTTP 500\n  second line — kept', at: at(2) });
    expect(planPollFailure(second, { error: 'timeout', at: at(3) })).toEqual({
      consecutiveFailures: 3,
      lastError: 'timeout',
      lastErrorAt: at(3),
      failingSince: at(1),
    });
    expect(second.lastError).toBe('HTTP 500\n  second line — kept');
  });

  it('starts a new streak after a success cleared the old one', () => {
    const cleared = noPollFailures();
    expect(planPollFailure(cleared, { error: 'refused', at: at(9) })).toMatchObject({
      consecutiveFailures: 1,
      failingSince: at(9),
    });
  });

  it('answers the same empty health for every store', () => {
    expect(noPollFailures()).toEqual({
      consecutiveFailures: 0,
      lastError: null,
      lastErrorAt: null,
      failingSince: null,
    });
    expect(noPollFailures()).not.toBe(noPollFailures());
  });
});

describe('runQueryOf', () => {
  it('applies the defaults: 20 runs from the first, any status', () => {
    expect(runQueryOf()).toEqual({
      limit: 20,
      offset: 0,
      statuses: [],
      unit: undefined,
      repository: undefined,
      trigger: undefined,
    });
  });

  it('takes one status or a list, an empty list meaning any', () => {
    expect(runQueryOf({ status: 'queued' }).statuses).toEqual(['queued']);
    expect(runQueryOf({ status: ['queued', 'running'] }).statuses).toEqual(['queued', 'running']);
    expect(runQueryOf({ status: [] }).statuses).toEqual([]);
  });

  it('reads limit and offset as whole numbers ≥ 0, a non-finite one as absent', () => {
    expect(runQueryOf({ limit: 2.9, offset: -3 })).toMatchObject({ limit: 2, offset: 0 });
    expect(runQueryOf({ limit: Number.NaN, offset: Number.POSITIVE_INFINITY })).toMatchObject({
      limit: 20,
      offset: 0,
    });
  });

  it('passes unit, repository and trigger through', () => {
    expect(runQueryOf({ unit: 'group:web', repository: 'api', trigger: 'manual' })).toMatchObject({
      unit: 'group:web',
      repository: 'api',
      trigger: 'manual',
    });
  });
});
