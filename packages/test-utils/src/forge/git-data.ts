import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GIT_TEST_ENV } from '../gitdir.js';

const run = promisify(execFile);

/** What a fake forge reads from a real bare repository: branches, commits, comparisons. */
export async function gitIn(bare: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', bare, ...args], {
    env: { ...process.env, ...GIT_TEST_ENV },
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

export interface BranchRef {
  name: string;
  sha: string;
}

export interface CommitData {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  committerName: string;
  committerEmail: string;
  committedAt: string;
  parents: string[];
  tree: string;
}

export interface FileChange {
  filename: string;
  /** added | modified | removed | renamed (GitHub's words; map them per forge) */
  status: 'added' | 'modified' | 'removed' | 'renamed';
  previousFilename?: string;
}

export interface Comparison {
  mergeBase: string | null;
  /** Commits reachable from head and not from base, oldest first. */
  commits: CommitData[];
  files: FileChange[];
  aheadBy: number;
  behindBy: number;
}

/** Every branch of the repository, sorted by name (byte order, as git sorts refs). */
export async function listBranches(bare: string): Promise<BranchRef[]> {
  const out = await gitIn(bare, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      return { sha: line.slice(0, space), name: line.slice(space + 1).replace(/^refs\/heads\//, '') };
    });
}

/** The SHA a branch name, SHA or `refs/...` name points at, or null. */
export async function resolveRef(bare: string, ref: string): Promise<string | null> {
  try {
    const candidates = /^[0-9a-f]{7,40}$/.test(ref) ? [ref] : [`refs/heads/${ref}`, ref];
    for (const candidate of candidates) {
      const out = await gitIn(bare, 'rev-parse', '--verify', '--quiet', `${candidate}^{commit}`).catch(
        () => '',
      );
      if (out.trim()) return out.trim();
    }
    return null;
  } catch {
    return null;
  }
}

const COMMIT_FORMAT = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x1f');

function parseCommit(record: string): CommitData {
  const [sha = '', tree = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...body] =
    record.split('\x1f');
  return {
    sha,
    tree,
    parents: parents.split(' ').filter(Boolean),
    authorName: an,
    authorEmail: ae,
    authoredAt: ad,
    committerName: cn,
    committerEmail: ce,
    committedAt: cd,
    message: body.join('\x1f').replace(/\n+$/, ''),
  };
}

function parseCommits(out: string): CommitData[] {
  return out
    .split('\x1e')
    .map((part) => part.replace(/^\n/, ''))
    .filter(Boolean)
    .map(parseCommit);
}

/** Several commits in one `git log --no-walk` (a fake lists a page of branches at once). */
export async function commitsData(bare: string, shas: readonly string[]): Promise<CommitData[]> {
  if (shas.length === 0) return [];
  return parseCommits(
    await gitIn(bare, 'log', '--no-walk=unsorted', `--format=${COMMIT_FORMAT}%x1e`, ...shas),
  );
}

export async function commitData(bare: string, sha: string): Promise<CommitData | null> {
  const resolved = await resolveRef(bare, sha);
  if (!resolved) return null;
  const out = await gitIn(bare, 'log', '-1', `--format=${COMMIT_FORMAT}%x1e`, resolved);
  return parseCommit(out.split('\x1e')[0]!.replace(/^\n/, ''));
}

/** Commits of `ref` newest first (as forges list them), at most `limit`. */
export async function listCommits(bare: string, ref: string, limit = 100): Promise<CommitData[]> {
  const resolved = await resolveRef(bare, ref);
  if (!resolved) return [];
  return parseCommits(await gitIn(bare, 'log', `-${limit}`, `--format=${COMMIT_FORMAT}%x1e`, resolved));
}

/** base...head as the compare APIs describe it: commits and files from the merge base to head. */
export async function compare(bare: string, base: string, head: string): Promise<Comparison | null> {
  const [baseSha, headSha] = await Promise.all([resolveRef(bare, base), resolveRef(bare, head)]);
  if (!baseSha || !headSha) return null;
  const mergeBase = (await gitIn(bare, 'merge-base', baseSha, headSha).catch(() => '')).trim() || null;
  const commits = parseCommits(
    await gitIn(bare, 'log', '--reverse', `--format=${COMMIT_FORMAT}%x1e`, `${baseSha}..${headSha}`),
  );
  const behind = (await gitIn(bare, 'rev-list', '--count', `${headSha}..${baseSha}`)).trim();
  const diff = mergeBase ? await gitIn(bare, 'diff', '--name-status', '-M', '-z', mergeBase, headSha) : '';
  const parts = diff.split('\0').filter((part) => part !== '');
  const files: FileChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++]!;
    if (code.startsWith('R')) {
      const from = parts[i++]!;
      const to = parts[i++]!;
      files.push({ filename: to, status: 'renamed', previousFilename: from });
    } else {
      const name = parts[i++]!;
      const status = code.startsWith('A') ? 'added' : code.startsWith('D') ? 'removed' : 'modified';
      files.push({ filename: name, status });
    }
  }
  return { mergeBase, commits, files, aheadBy: commits.length, behindBy: Number(behind) };
}
