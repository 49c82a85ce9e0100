import { type CommitData, gitIn } from './git-data.js';

/*
 * What the fake Gitea reads from a real bare repository and how it renders it. The JSON shapes
 * follow Gitea's API structs as gitea-js's generated types describe them (Branch, PayloadCommit,
 * Commit, RepoCommit, CommitMeta, CommitAffectedFiles, CommitStats, Compare, CommitStatus, User);
 * the provider's tests check these types against gitea-js's at compile time.
 */

const git = gitIn;

/** A branch with the commit fields Gitea's branch API reports. */
export interface GiteaBranchRecord {
  name: string;
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  committerName: string;
  committerEmail: string;
  /** ISO 8601 committer date. */
  committedAt: string;
  committedUnix: number;
}

const BRANCH_FORMAT = [
  '%(objectname)',
  '%(refname)',
  '%(authorname)',
  '%(authoremail:trim)',
  '%(committername)',
  '%(committeremail:trim)',
  '%(committerdate:iso-strict)',
  '%(committerdate:unix)',
  '%(contents)',
].join('%00');

/**
 * Every branch, in the order Gitea's branch list uses (`commit_time DESC, name ASC`, from its
 * `FindBranchOptions.ToOrders`): a pushed branch moves to the front of page 1.
 */
export async function readBranches(bare: string): Promise<GiteaBranchRecord[]> {
  const out = await git(bare, 'for-each-ref', `--format=${BRANCH_FORMAT}%1e`, 'refs/heads');
  const records = out
    .split('\x1e')
    .map((chunk) => chunk.replace(/^\n/, ''))
    .filter(Boolean)
    .map((chunk) => {
      const [sha = '', ref = '', an = '', ae = '', cn = '', ce = '', cd = '', unix = '0', ...message] =
        chunk.split('\0');
      return {
        name: ref.replace(/^refs\/heads\//, ''),
        sha,
        authorName: an,
        authorEmail: ae,
        committerName: cn,
        committerEmail: ce,
        committedAt: cd,
        committedUnix: Number(unix),
        message: message.join('\0'),
      };
    });
  return records.sort(
    (a, b) => b.committedUnix - a.committedUnix || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** A ref as `git for-each-ref` reports it: what Gitea's `GetRefsFiltered` reads. */
export interface GiteaRefRecord {
  /** `refs/heads/main`, `refs/tags/v1`, ... */
  name: string;
  sha: string;
  /** `commit`, `tag` (an annotated tag), ... */
  type: string;
}

/**
 * Every ref but remote-tracking ones and the stash, in `git for-each-ref` order (by name), as
 * Gitea's `GetRefsFiltered` lists them before it filters by prefix.
 */
export async function readRefs(bare: string): Promise<GiteaRefRecord[]> {
  const out = await git(bare, 'for-each-ref', '--format=%(objectname) %(objecttype)%09%(refname)');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      const tab = line.indexOf('\t');
      return { sha: line.slice(0, space), type: line.slice(space + 1, tab), name: line.slice(tab + 1) };
    })
    .filter((ref) => !ref.name.startsWith('refs/remotes/') && ref.name !== 'refs/stash');
}

export interface GiteaAffectedFile {
  filename: string;
  status: 'added' | 'removed' | 'modified';
}

export interface GiteaCommitFiles {
  files: GiteaAffectedFile[];
  additions: number;
  deletions: number;
}

const STATUS_WORD = { A: 'added', D: 'removed', M: 'modified' } as const;

/**
 * Files each commit of `range` touched, as Gitea's `GetCommitFileStatus` reads them:
 * `git log --name-status -m --first-parent --no-renames`, so a rename is a removal plus an
 * addition (both names appear), and stats from `--numstat` the same way.
 */
export async function commitFiles(bare: string, range: string): Promise<Map<string, GiteaCommitFiles>> {
  const common = ['-m', '--first-parent', '--no-renames', '-z', '--format=%x1e%H'];
  const [names, numbers] = await Promise.all([
    git(bare, 'log', '--name-status', ...common, range),
    git(bare, 'log', '--numstat', ...common, range),
  ]);
  const result = new Map<string, GiteaCommitFiles>();
  for (const chunk of names.split('\x1e').filter(Boolean)) {
    const [sha = '', ...rest] = chunk.split('\0');
    const files: GiteaAffectedFile[] = [];
    for (let i = 0; i + 1 < rest.length; i += 2) {
      const code = rest[i]!.trim().charAt(0) as keyof typeof STATUS_WORD;
      const status = STATUS_WORD[code] ?? 'modified';
      files.push({ filename: rest[i + 1]!, status });
    }
    result.set(sha, { files, additions: 0, deletions: 0 });
  }
  for (const chunk of numbers.split('\x1e').filter(Boolean)) {
    const [sha = '', ...rest] = chunk.split('\0');
    const entry = result.get(sha);
    if (!entry) continue;
    for (const line of rest) {
      const [added = '0', deleted = '0'] = line.trim().split('\t');
      entry.additions += Number(added) || 0;
      entry.deletions += Number(deleted) || 0;
    }
  }
  return result;
}

/** Gitea's `PayloadUser`. */
export interface GiteaPayloadUser {
  name: string;
  email: string;
  username: string;
}

/** Gitea's `PayloadCommitVerification`. */
export interface GiteaVerification {
  verified: boolean;
  reason: string;
  signature: string;
  signer: GiteaPayloadUser | null;
  payload: string;
}

/** Gitea's `PayloadCommit` (the `commit` of a Branch, and the commits of a push webhook). */
export interface GiteaPayloadCommitJson {
  id: string;
  message: string;
  url: string;
  author: GiteaPayloadUser;
  committer: GiteaPayloadUser;
  verification: GiteaVerification | null;
  timestamp: string;
  added: string[] | null;
  removed: string[] | null;
  modified: string[] | null;
}

/** Gitea's `Branch`. */
export interface GiteaBranchJson {
  name: string;
  commit: GiteaPayloadCommitJson;
  protected: boolean;
  required_approvals: number;
  enable_status_check: boolean;
  status_check_contexts: string[];
  user_can_push: boolean;
  user_can_merge: boolean;
  effective_branch_protection_name: string;
}

/** Gitea's `CommitMeta`. */
export interface GiteaCommitMetaJson {
  url: string;
  sha: string;
  created: string;
}

/** Gitea's `Commit` (compare and commit lists). */
export interface GiteaCommitJson {
  url: string;
  sha: string;
  created: string;
  html_url: string;
  commit: {
    url: string;
    author: { name: string; email: string; date: string };
    committer: { name: string; email: string; date: string };
    message: string;
    tree: GiteaCommitMetaJson;
    verification: GiteaVerification;
  };
  author: null;
  committer: null;
  parents: GiteaCommitMetaJson[];
  /** null when the request asked `files=false`. */
  files: GiteaAffectedFile[] | null;
  stats: { total: number; additions: number; deletions: number };
}

/** Gitea's `Compare`. */
export interface GiteaCompareJson {
  total_commits: number;
  commits: GiteaCommitJson[];
}

/** Gitea's `User`, as the fake's only account. */
export interface GiteaUserJson {
  id: number;
  login: string;
  login_name: string;
  source_id: number;
  full_name: string;
  email: string;
  avatar_url: string;
  html_url: string;
  language: string;
  is_admin: boolean;
  last_login: string;
  created: string;
  restricted: boolean;
  active: boolean;
  prohibit_login: boolean;
  location: string;
  website: string;
  description: string;
  visibility: string;
  followers_count: number;
  following_count: number;
  starred_repos_count: number;
}

/** Gitea's `CommitStatus`. */
export interface GiteaCommitStatusJson {
  id: number;
  status: string;
  target_url: string;
  description: string;
  url: string;
  context: string;
  creator: GiteaUserJson;
  created_at: string;
  updated_at: string;
}

/** Gitea's `Reference` (`GET /repos/{owner}/{repo}/git/refs/{ref}`). */
export interface GiteaReferenceJson {
  ref: string;
  url: string;
  object: { sha: string; type: string; url: string };
}

/** Where one repository lives on the fake server, for the `*_url` fields. */
export interface GiteaRepoUrls {
  /** `<base>/api/v1/repos/<owner>/<name>` */
  api: string;
  /** `<base>/<owner>/<name>` */
  html: string;
}

const UNSIGNED: GiteaVerification = {
  verified: false,
  reason: 'gpg.error.not_signed_commit',
  signature: '',
  signer: null,
  payload: '',
};

/** What Gitea's `convert.ToBranch` renders for an unprotected branch seen by a writer. */
export function branchJson(branch: GiteaBranchRecord, urls: GiteaRepoUrls): GiteaBranchJson {
  return {
    name: branch.name,
    commit: {
      id: branch.sha,
      message: branch.message,
      url: `${urls.html}/commit/${branch.sha}`,
      author: { name: branch.authorName, email: branch.authorEmail, username: '' },
      committer: { name: branch.committerName, email: branch.committerEmail, username: '' },
      verification: UNSIGNED,
      timestamp: branch.committedAt,
      added: null,
      removed: null,
      modified: null,
    },
    protected: false,
    required_approvals: 0,
    enable_status_check: false,
    status_check_contexts: [],
    user_can_push: true,
    user_can_merge: true,
    effective_branch_protection_name: '',
  };
}

/**
 * What Gitea's `convert.ToCommit` renders. Commit authors with no Gitea account give `author`
 * and `committer` null; the message keeps git's trailing newline as Gitea's does.
 */
export function commitJson(
  commit: CommitData,
  files: GiteaCommitFiles,
  urls: GiteaRepoUrls,
): GiteaCommitJson {
  const meta = (sha: string): GiteaCommitMetaJson => ({
    url: `${urls.api}/git/commits/${sha}`,
    sha,
    created: commit.committedAt,
  });
  return {
    url: `${urls.api}/git/commits/${commit.sha}`,
    sha: commit.sha,
    created: commit.committedAt,
    html_url: `${urls.html}/commit/${commit.sha}`,
    commit: {
      url: `${urls.api}/git/commits/${commit.sha}`,
      author: { name: commit.authorName, email: commit.authorEmail, date: commit.authoredAt },
      committer: { name: commit.committerName, email: commit.committerEmail, date: commit.committedAt },
      message: `${commit.message}\n`,
      tree: { url: `${urls.api}/git/trees/${commit.tree}`, sha: commit.tree, created: commit.committedAt },
      verification: UNSIGNED,
    },
    author: null,
    committer: null,
    parents: commit.parents.map(meta),
    files: files.files,
    stats: {
      total: files.additions + files.deletions,
      additions: files.additions,
      deletions: files.deletions,
    },
  };
}

/** The fake's one account: the owner of the token. */
export function userJson(baseUrl: string): GiteaUserJson {
  return {
    id: 1,
    login: 'sentry-bot',
    login_name: '',
    source_id: 0,
    full_name: 'Sentry Bot',
    email: 'sentry-bot@noreply.localhost',
    avatar_url: `${baseUrl}/avatars/sentry-bot`,
    html_url: `${baseUrl}/sentry-bot`,
    language: '',
    is_admin: false,
    last_login: '1970-01-01T00:00:00Z',
    created: '2024-01-01T00:00:00Z',
    restricted: false,
    active: false,
    prohibit_login: false,
    location: '',
    website: '',
    description: '',
    visibility: 'public',
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
  };
}

/** What Gitea's `getGitRefsInternal` renders for one ref. */
export function referenceJson(ref: GiteaRefRecord, urls: GiteaRepoUrls): GiteaReferenceJson {
  return {
    ref: ref.name,
    url: `${urls.api}/git/${ref.name.split('/').map(encodeURIComponent).join('/')}`,
    object: {
      sha: ref.sha,
      type: ref.type,
      url: `${urls.api}/git/${encodeURIComponent(ref.type)}s/${ref.sha}`,
    },
  };
}
