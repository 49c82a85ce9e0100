import { createHash } from 'node:crypto';
import path from 'node:path';

/** Where the shell executor's QA mirrors live, beside the git provider's `git-mirrors/`. */
export function qaCacheRoot(tmpDir: string): string {
  return path.join(tmpDir, 'cache', 'qa-mirrors');
}

/**
 * One mirror per QA repository URL (without credentials) and branch: the key never holds a
 * secret, and two tokens for one repository share a mirror.
 */
export function mirrorDir(root: string, cleanUrl: string, branch: string | undefined): string {
  const key = createHash('sha256')
    .update(`${cleanUrl}\0${branch ?? ''}`)
    .digest('hex')
    .slice(0, 24);
  return path.join(root, `${key}.git`);
}

/** Touched at each use; its mtime orders mirrors for eviction (least recently used first). */
export const LAST_USE_FILE = 'sentry-git-last-use';
