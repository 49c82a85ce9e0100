import type { AuthConfig } from '../config/schema.js';
import type { BranchHead } from '../types.js';

/** What a provider polls: the `monitor` block of one repository. */
export interface ProviderTarget {
  /** The repository entry's name (for messages). */
  repository: string;
  url: string;
  type: string;
  auth?: AuthConfig | undefined;
  /** `monitor.api_base_url`: the forge's API root, overriding the one derived from `url`. */
  apiBaseUrl?: string | undefined;
  /** Provider-specific settings from the monitor block. */
  options?: Record<string, unknown>;
  /**
   * The configuration keys that hold this target's URL and credentials, for the fix an error
   * names. Without it a provider names `monitor.repo_url` and `monitor.auth`; a check of a QA
   * repository passes e.g. `repositories[0].deploy.qa_repo_url` and `repositories[0].deploy.auth`.
   */
  configKeys?: { url: string; auth: string } | undefined;
}

export interface ListHeadsOptions {
  /** True for branch names to report; providers may use it to skip work. */
  match: (branch: string) => boolean;
  /**
   * The configured `monitor.branches` patterns (full-match RE2 regular expressions, which `match`
   * applies). A provider may probe literal names (`literalBranches`) one by one instead of
   * listing every branch.
   */
  patterns?: readonly string[];
  /**
   * Aborts on shutdown, or once `global.poll_timeout` has passed. Polls that start within the
   * same moment share one signal, so remove the listeners you add to it when the call ends.
   */
  signal: AbortSignal;
  /** SHAs last seen, for conditional requests. */
  known?: ReadonlyMap<string, string>;
  /**
   * Asked for now (a webhook, a person), not a routine poll: a provider that queues its requests
   * should not put this one behind a scheduled cycle's thousands.
   */
  urgent?: boolean;
}

export interface RateLimitInfo {
  limit?: number;
  remaining: number;
  resetAt?: string;
}

export interface ListHeadsResult {
  heads: BranchHead[];
  /** True when the provider learned from a conditional request that nothing changed; `heads` then repeats `known`. */
  notModified?: boolean;
  rateLimit?: RateLimitInfo;
}

export interface CommitSummary {
  sha: string;
  message: string;
}

/** What changed between two commits: for path filters and skip markers. */
export interface ChangedFiles {
  /** Paths changed between `from` and `to` (both sides of a rename). */
  files: string[];
  /**
   * The commits in `from..to`, oldest first; the last one is `to`. On a long range a provider
   * may leave out commits in between (GitHub reads the first and the last page of its
   * comparison): skip markers read only the newest.
   */
  commits: CommitSummary[];
  /**
   * The quota as this call's last answer left it, as `ListHeadsResult.rateLimit`: the scheduler's
   * quota budget counts what path filters and skip markers spend, not only what polls spend.
   */
  rateLimit?: RateLimitInfo;
}

export interface ChangedFilesOptions {
  signal: AbortSignal;
  /** A folder the provider may keep a local mirror in (the `git` provider does). */
  cacheDir: string;
  /** Part of a poll someone asked for (see ListHeadsOptions.urgent). */
  urgent?: boolean;
  /**
   * Whether the caller reads `files`. Without path filters only the newest commit's message is
   * read (skip markers): a provider may then answer with `files: []` and `commits` holding just
   * the commit `to`, if that costs it less (GitHub reads the one commit instead of the whole
   * comparison: one round trip and one quota unit however long the range). @default true
   */
  files?: boolean;
}

export interface CommitStatus {
  state: 'pending' | 'success' | 'failure' | 'error';
  description?: string;
  targetUrl?: string;
  context?: string;
}

export interface WebhookPush {
  repoUrl: string;
  branch: string;
  before: string | null;
  after: string | null;
}

export type WebhookResult = { ok: true; push: WebhookPush } | { ok: false; status: number; reason: string };

/**
 * What a provider offers beyond `listHeads`, each with its method: the conformance suite checks
 * that a declared capability has its method. The commit-status reporter asks `commitStatus`
 * before it reports.
 */
export interface ProviderCapabilities {
  /** `changedFiles()`: path filters and skip markers can read what a push changed. */
  changedFiles: boolean;
  /** `setCommitStatus()`: `monitor.report_status` works. */
  commitStatus: boolean;
  /** `parseWebhook()`: the server accepts this forge's push webhooks. */
  webhooks: boolean;
}

/**
 * Reads branch heads from a Git host. One call answers "what are the heads of the matching
 * branches now"; the provider makes that cheap.
 */
export interface GitProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  listHeads(target: ProviderTarget, options: ListHeadsOptions): Promise<ListHeadsResult>;
  /** Files and commits between `from` and `to` (the forge's compare API, or a local mirror under `cacheDir`). */
  changedFiles?(
    target: ProviderTarget,
    from: string,
    to: string,
    options: ChangedFilesOptions,
  ): Promise<ChangedFiles>;
  setCommitStatus?(
    target: ProviderTarget,
    sha: string,
    status: CommitStatus,
    options: { signal: AbortSignal },
  ): Promise<void>;
  parseWebhook?(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    secret: string | undefined,
  ): WebhookResult;
}
