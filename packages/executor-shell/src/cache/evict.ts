import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { tryLockMirror } from './lock.js';
import { LAST_USE_FILE } from './paths.js';

export interface EvictionLimits {
  maxBytes: number;
  maxEntries: number;
}

interface Entry {
  dir: string;
  bytes: number;
  lastUse: number;
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await sizeOf(full);
    else
      total += await lstat(full).then(
        (info) => info.size,
        () => 0,
      );
  }
  return total;
}

async function lastUse(dir: string): Promise<number> {
  const marker = await stat(path.join(dir, LAST_USE_FILE)).catch(() => null);
  if (marker) return marker.mtimeMs;
  return (await stat(dir).catch(() => null))?.mtimeMs ?? 0;
}

async function mirrors(root: string): Promise<Entry[]> {
  const names = await readdir(root, { withFileTypes: true }).catch(() => []);
  const dirs = names
    .filter((entry) => entry.isDirectory() && entry.name.endsWith('.git'))
    .map((entry) => path.join(root, entry.name));
  return Promise.all(
    dirs.map(async (dir) => ({ dir, bytes: await sizeOf(dir), lastUse: await lastUse(dir) })),
  );
}

/**
 * Removes least recently used mirrors until the cache is within both limits. `keep` (the
 * mirror the current job just used) is counted but never removed, so one mirror larger than
 * `maxBytes` stays usable; a mirror another job holds (its lock is taken) is skipped. A
 * victim is renamed away under its lock, then deleted: a job arriving meanwhile builds anew.
 * Returns the removed mirrors.
 */
export async function evictMirrors(root: string, keep: string, limits: EvictionLimits): Promise<string[]> {
  const entries = await mirrors(root);
  let count = entries.length;
  let bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  const removed: string[] = [];
  const candidates = entries.filter((entry) => entry.dir !== keep).sort((a, b) => a.lastUse - b.lastUse);
  for (const entry of candidates) {
    if (count <= limits.maxEntries && bytes <= limits.maxBytes) break;
    const lock = await tryLockMirror(entry.dir);
    if (!lock) continue;
    const doomed = `${entry.dir}.evicting-${randomUUID().slice(0, 8)}`;
    // Gone already (another process evicted it between the listing and the lock): skip it.
    const moved = await rename(entry.dir, doomed).then(
      () => true,
      () => false,
    );
    await lock.release();
    if (!moved) continue;
    await rm(doomed, { recursive: true, force: true });
    count -= 1;
    bytes -= entry.bytes;
    removed.push(entry.dir);
  }
  return removed;
}
