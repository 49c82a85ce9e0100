import { describe, expect, it } from 'vitest';
import { engineLockedDetails, engineLockedError, SentryError } from '../src/index.js';

const SINCE = '2024-01-01T12:01:02.000Z';

describe('ENGINE_LOCKED', () => {
  it('names a watch holding the lock and puts the trigger hand-off first, another state file last', () => {
    const error = engineLockedError({
      resource: '/srv/state.db',
      holder: { pid: 4242, owner: 'watch', since: SINCE, sameProcess: false },
    });
    expect(error.code).toBe('ENGINE_LOCKED');
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(
      `Another sentry-git process holds the engine lock of /srv/state.db: pid 4242 (watch, since ${SINCE}). Only one process at a time may deploy from a state file. Fix: one of these:`,
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^ {2}- To deploy by hand while it runs, use `sentry-git trigger`: .*server\.port.*SENTRY_GIT_API_TOKEN/,
      ),
      expect.stringMatching(/^ {2}- Or stop it first: kill 4242 /),
      expect.stringMatching(/^ {2}- `sentry-git status` and `sentry-git runs` only read the state/),
      expect.stringMatching(/^ {2}- Only as a last resort, point state\.path at another file/),
    ]);
    expect(engineLockedDetails(error)).toEqual({
      resource: '/srv/state.db',
      pid: 4242,
      owner: 'watch',
      since: SINCE,
      sameProcess: false,
    });
  });

  it('tells to wait for a holder that ends by itself, and copes with a lock that does not say since when', () => {
    const error = engineLockedError({
      resource: '/srv/state.db',
      holder: { pid: 7, owner: 'trigger', since: null, sameProcess: false },
    });
    expect(error.message).toContain('pid 7 (trigger, since an unknown time)');
    expect(error.message).toContain(
      'It stops by itself once its runs finish: try again then, or stop it with kill 7.',
    );
    expect(error.message).not.toContain('hands the trigger');
  });

  it('names another engine of the same process', () => {
    const error = engineLockedError({
      resource: '/srv/state.db',
      holder: { pid: process.pid, owner: 'tests', since: SINCE, sameProcess: true },
    });
    expect(error.message).toContain(`another engine in this process (tests, since ${SINCE})`);
    expect(error.message).toContain('close() the other engine');
  });

  it('finds no holder in other errors', () => {
    expect(engineLockedDetails(new SentryError('STATE_CLOSED', 'closed'))).toBeNull();
    expect(engineLockedDetails(new Error('ENGINE_LOCKED'))).toBeNull();
  });
});
