import { createHash, randomUUID } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type LockFileContent, lockFileText, lockHolderAlive, parseLockFile } from './lock-file.js';

/** A lock this process holds until `release()`. */
export interface HeldLockFileSync {
  release(): void;
}

/** What trying a lock found: taken, or busy with its live holder (null when the file names none). */
export type LockAttempt =
  | { acquired: true; lock: HeldLockFileSync }
  | { acquired: false; holder: LockFileContent | null };

/** Enough for a lock released and taken again between our tries; each round is a few syscalls. */
const MAX_ROUNDS = 8;
/** A reaper that died while reaping leaves a claim that is reaped in turn: a crash per level. */
const MAX_REAP_DEPTH = 3;

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Puts `text` at `file` unless something is there. The text is written to a file of its own
 * first and hard-linked into place, so `file` is never seen empty or half-written (an O_EXCL
 * create followed by a write is, and a reader would take the empty file for a dead holder's).
 */
function publish(file: string, text: string): boolean {
  const staged = `${file}.${randomUUID()}.tmp`;
  try {
    // Inside the try: a write that fails half-way (disk full) leaves no staged file behind.
    writeFileSync(staged, text, { flag: 'wx' });
    linkSync(staged, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(staged, { force: true });
  }
}

function releaseIfOurs(file: string, token: string): void {
  const text = readText(file);
  if (text !== null && parseLockFile(text).token === token) rmSync(file, { force: true });
}

/**
 * Removes the lock `seen` (its holder is dead) unless another contender is already doing so.
 * "Is it still the dead holder's? Then remove it" is two steps, and between them another
 * contender could remove it and take the lock, so that the second step removes a live lock.
 * The removal therefore needs a claim named after the dead lock's content, itself a lock of this
 * kind: only the claim's holder removes that one file, so nobody changes it between the check and
 * the removal (its holder is dead; every other remover needs the claim). A contender that read
 * the dead lock late takes the claim after it was released, finds another file and leaves it.
 * Returns false when the claim is busy.
 */
function reap(file: string, seen: string, depth: number): boolean {
  if (depth >= MAX_REAP_DEPTH) return false;
  const claim = `${file}.reap-${createHash('sha256').update(seen).digest('hex').slice(0, 16)}`;
  const token = randomUUID();
  if (!take(claim, lockFileText(token, ['reaping']), depth + 1).acquired) return false;
  try {
    if (readText(file) === seen) rmSync(file, { force: true });
  } finally {
    releaseIfOurs(claim, token);
  }
  return true;
}

function take(
  file: string,
  text: string,
  depth: number,
): { acquired: true } | { acquired: false; holder: LockFileContent | null } {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (publish(file, text)) return { acquired: true };
    const seen = readText(file);
    // Released between our try and the read: try again.
    if (seen === null) continue;
    const current = parseLockFile(seen);
    // Not a lock file of ours (no pid): never taken over, whatever wrote it may still need it.
    if (!Number.isInteger(current.pid) || current.pid <= 0) return { acquired: false, holder: null };
    if (lockHolderAlive(current)) return { acquired: false, holder: current };
    // The holder died (kill -9, power loss, a container restart that reused its pid).
    reap(file, seen, depth);
  }
  // Still changing hands after every round (or another contender is taking a dead holder's lock).
  return { acquired: false, holder: null };
}

/**
 * Takes `file` without waiting. The file holds the holder's pid, a token and its process
 * identity (see lockFileText), then `extra`. A lock whose holder died is taken over; a live
 * one, this process's own from another instance included, is respected; a file that names no
 * process (not written by this code) is never removed. Race-free between any number of
 * processes: the lock file appears whole (hard link of a complete file) and a dead holder's lock
 * is removed by one contender only (see reap).
 */
export function takeLockFile(file: string, extra: readonly string[] = []): LockAttempt {
  const token = randomUUID();
  const attempt = take(file, lockFileText(token, extra), 0);
  if (!attempt.acquired) return attempt;
  return { acquired: true, lock: { release: () => releaseIfOurs(file, token) } };
}

export interface HeldLockFile {
  release(): Promise<void>;
}

/** takeLockFile for callers that await: the held lock, or null while it is busy. */
export async function tryLockFile(file: string, extra: readonly string[] = []): Promise<HeldLockFile | null> {
  const attempt = takeLockFile(file, extra);
  if (!attempt.acquired) return null;
  return {
    async release() {
      attempt.lock.release();
    },
  };
}
