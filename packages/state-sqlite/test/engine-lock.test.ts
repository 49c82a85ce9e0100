import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processIdentity, type SentryError } from '@sentry-git/core';
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
          message: expect.stringContaining('another engine in this process, watch on host-a'),
        }) as SentryError,
      );
    } finally {
      lock.release();
    }
  });

  it('takes over a lock left by a killed container whose new process got the same pid', async () => {
    const stateFile = path.join(await tempdir(), 'state.db');
    const lockFile = `${stateFile}.lock`;
    // What the killed engine left on the volume: the pid this process has now, another start.
    await writeFile(lockFile, `${process.pid}\ndead-token\n${processIdentity().split('/')[0]}/1\nwatch\n`);
    const lock = acquireFileLock(stateFile, 'watch again');
    const [pid, , identity, owner] = (await readFile(lockFile, 'utf8')).split('\n');
    expect([Number(pid), identity, owner]).toEqual([process.pid, processIdentity(), 'watch again']);
    lock.release();
  });
});
