import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SentryError } from '@sentry-git/core';
import { processIdentity } from '@sentry-git/core/internal';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { acquireFileLock } from '../src/lock.js';

describe('engine lock file', () => {
  it('refuses a second engine of this very process, naming the owner', async () => {
    const stateFile = path.join(await tempdir(), 'state.db');
    const lock = acquireFileLock(stateFile, 'watch on host-a');
    try {
      expect(() => acquireFileLock(stateFile, 'other')).toThrow(
        expect.objectContaining({
          code: 'ENGINE_LOCKED',
          message: expect.stringMatching(
            /another engine in this process \(watch on host-a, since \d{4}-\d\d-\d\dT[\d:.]+Z\)/,
          ),
        }) as SentryError,
      );
    } finally {
      lock.release();
    }
  });

  it('names a lock of an earlier version (no start time) without one', async () => {
    const stateFile = path.join(await tempdir(), 'state.db');
    // Written by the version before locks recorded when they were taken: pid, token, identity, owner.
    await writeFile(`${stateFile}.lock`, `${process.pid}\nold-token\n${processIdentity()}\nwatch\n`);
    expect(() => acquireFileLock(stateFile, 'other')).toThrow(
      expect.objectContaining({
        code: 'ENGINE_LOCKED',
        message: expect.stringContaining('another engine in this process (watch, since an unknown time)'),
        details: expect.objectContaining({ owner: 'watch', since: null, resource: stateFile }),
      }) as SentryError,
    );
  });

  it('takes over a lock left by a killed container whose new process got the same pid', async () => {
    const stateFile = path.join(await tempdir(), 'state.db');
    const lockFile = `${stateFile}.lock`;
    // What the killed engine left on the volume: the pid this process has now, another start.
    await writeFile(lockFile, `${process.pid}\ndead-token\n${processIdentity().split('/')[0]}/1\nwatch\n`);
    const lock = acquireFileLock(stateFile, 'watch again');
    const [pid, , identity, owner, since] = (await readFile(lockFile, 'utf8')).split('\n');
    expect([Number(pid), identity, owner]).toEqual([process.pid, processIdentity(), 'watch again']);
    expect(Number.isNaN(Date.parse(since ?? ''))).toBe(false);
    lock.release();
  });

  it('never deletes a lock file that names no process (one being written by another version, say)', async () => {
    const stateFile = path.join(await tempdir(), 'state.db');
    const lockFile = `${stateFile}.lock`;
    await writeFile(lockFile, '');
    expect(() => acquireFileLock(stateFile, 'watch')).toThrow(
      expect.objectContaining({
        code: 'ENGINE_LOCKED',
        message: expect.stringContaining(`${lockFile} names no live process`),
      }) as SentryError,
    );
    expect(await readFile(lockFile, 'utf8')).toBe('');
  });
});
