import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import {
  lockHolderAlive,
  parseLockFile,
  processIdentity,
  takeLockFile,
  tryLockFile,
} from '../src/internal.js';

describe('process identity', () => {
  it('names this process the same way every time, and another process differently', async () => {
    const mine = processIdentity();
    expect(mine).toMatch(/^[0-9a-f-]+\/\d+$/);
    expect(processIdentity()).toBe(mine);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      const theirs = processIdentity(child.pid!);
      expect(theirs).not.toBe('');
      expect(theirs).not.toBe(mine);
      expect(lockHolderAlive({ pid: child.pid!, identity: theirs })).toBe(true);
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(lockHolderAlive({ pid: child.pid!, identity: theirs })).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('tells a live pid that is another process (a restarted container’s pid 1) from the holder', () => {
    expect(lockHolderAlive({ pid: process.pid, identity: processIdentity() })).toBe(true);
    expect(lockHolderAlive({ pid: process.pid, identity: '00000000-0000-0000-0000-000000000000/1' })).toBe(
      false,
    );
    // Written by an older version (no identity): the pid is all there is.
    expect(lockHolderAlive({ pid: process.pid, identity: '' })).toBe(true);
    expect(lockHolderAlive({ pid: 0, identity: '' })).toBe(false);
  });

  it('reads lock files written before identities were recorded', () => {
    expect(parseLockFile('42\ntok\nsentry-git\n')).toEqual({
      pid: 42,
      token: 'tok',
      identity: '',
      extra: ['sentry-git'],
    });
    expect(parseLockFile('42\ntok\nab-12/345\nowner\n')).toEqual({
      pid: 42,
      token: 'tok',
      identity: 'ab-12/345',
      extra: ['owner'],
    });
  });
});

describe('tryLockFile', () => {
  it('is exclusive within one process, released by its holder, and taken over from a dead holder', async () => {
    const file = path.join(await tempdir(), 'x.lock');
    const held = await tryLockFile(file, ['me']);
    expect(held).not.toBeNull();
    expect((await readFile(file, 'utf8')).split('\n')).toEqual([
      String(process.pid),
      expect.any(String),
      processIdentity(),
      'me',
      '',
    ]);
    expect(await tryLockFile(file)).toBeNull();
    await held!.release();
    const again = await tryLockFile(file);
    expect(again).not.toBeNull();
    await again!.release();

    // The container restart: the file names this very pid, but another process's start.
    await writeFile(file, `${process.pid}\nold-token\n00000000-0000-0000-0000-000000000000/1\n`);
    const taken = await tryLockFile(file);
    expect(taken).not.toBeNull();
    await taken!.release();

    // Being written this instant (no pid yet): busy, not stale.
    await writeFile(file, '');
    expect(await tryLockFile(file)).toBeNull();
  });
});

describe('takeLockFile', () => {
  const deadHolder = (token: string) =>
    `${process.pid}\n${token}\n${processIdentity().split('/')[0]}/1\nwatch\n`;
  const claimOf = (file: string, content: string) =>
    `${file}.reap-${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;

  it('leaves no staged file behind, and names the live holder when busy', async () => {
    const dir = await tempdir();
    const file = path.join(dir, 'x.lock');
    const first = takeLockFile(file, ['first']);
    expect(first.acquired).toBe(true);
    const second = takeLockFile(file, ['second']);
    expect(second).toEqual({
      acquired: false,
      holder: expect.objectContaining({ pid: process.pid, identity: processIdentity(), extra: ['first'] }),
    });
    if (first.acquired) first.lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("takes a dead holder's lock over even when a reaper died holding the claim on it", async () => {
    const dir = await tempdir();
    const file = path.join(dir, 'x.lock');
    const dead = deadHolder('dead-token');
    await writeFile(file, dead);
    // A contender died between taking the claim to remove the dead lock and removing it.
    await writeFile(claimOf(file, dead), deadHolder('dead-reaper'));
    const attempt = takeLockFile(file, ['me']);
    expect(attempt.acquired).toBe(true);
    expect(parseLockFile(await readFile(file, 'utf8')).extra).toEqual(['me']);
    if (attempt.acquired) attempt.lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves a dead holder's lock to the live contender that claimed it", async () => {
    const file = path.join(await tempdir(), 'x.lock');
    const dead = deadHolder('dead-token');
    await writeFile(file, dead);
    // Another engine of this process is removing it this instant.
    await writeFile(claimOf(file, dead), `${process.pid}\nreaper\n${processIdentity()}\nreaping\n`);
    expect(takeLockFile(file, ['me'])).toEqual({ acquired: false, holder: null });
    expect(await readFile(file, 'utf8')).toBe(dead);
  });
});
