import type { BranchHead } from '@sentry-git/core';

const BRANCH_PREFIX = 'refs/heads/';
// SHA-1 (40) and SHA-256 (64) object names.
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Reads `git ls-remote --heads` output: `<sha>\trefs/heads/<name>` per line. A ref name cannot
 * hold a tab or a newline, so everything after the first tab is the name, `/` and `#` included.
 */
export function parseLsRemote(output: string): BranchHead[] {
  const heads: BranchHead[] = [];
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab === -1) continue;
    const sha = line.slice(0, tab).trim();
    const ref = line.slice(tab + 1).replace(/\r$/, '');
    if (!OBJECT_ID.test(sha) || !ref.startsWith(BRANCH_PREFIX) || ref.endsWith('^{}')) continue;
    heads.push({ branch: ref.slice(BRANCH_PREFIX.length), sha });
  }
  return heads;
}
