import type { RepositoryConfig } from '../config/schema.js';
import type { ChangedFiles, GitProvider, ProviderTarget, RateLimitInfo } from '../interfaces/provider.js';
import { compilePathGlobs } from './path-glob.js';

/** Why a moved head deploys nothing, or null when it deploys. */
export type SkipReason = string | null;

export function needsChangedFiles(repo: RepositoryConfig): boolean {
  const { paths, ignore_paths, skip_markers } = repo.monitor;
  return Boolean(paths?.length || ignore_paths?.length || skip_markers.length);
}

/**
 * Path filters and skip markers over what changed since the last deployed commit: a push whose
 * newest commit carries a skip marker deploys nothing; otherwise it deploys when one changed file
 * matches `paths` (every file, without `paths`) and not `ignore_paths`.
 */
export function skipReason(repo: RepositoryConfig, changes: ChangedFiles): SkipReason {
  const { paths, ignore_paths, skip_markers } = repo.monitor;
  const newest = changes.commits.at(-1)?.message ?? '';
  const marker = skip_markers.find((candidate) => newest.includes(candidate));
  if (marker) return `the newest commit carries ${marker}`;
  const wanted = paths?.length ? compilePathGlobs(paths) : () => true;
  const ignored = ignore_paths?.length ? compilePathGlobs(ignore_paths) : () => false;
  if (changes.files.some((file) => wanted(file) && !ignored(file))) return null;
  if (paths?.length && !changes.files.some(wanted)) return 'no changed file matches monitor.paths';
  if (changes.files.length > 0) return 'only files in monitor.ignore_paths changed';
  return null;
}

export interface FilterInput {
  repo: RepositoryConfig;
  provider: GitProvider;
  target: ProviderTarget;
  from: string;
  to: string;
  signal: AbortSignal;
  cacheDir: string;
  /** Part of a poll someone asked for (see ListHeadsOptions.urgent). */
  urgent?: boolean;
  /** Told the quota the provider's answer reported, as a poll's is. */
  onRateLimit(rateLimit: RateLimitInfo, provider: string): void;
}

/** Asks the provider what changed and applies the filters; a provider that cannot tell deploys. */
export async function filterChange(input: FilterInput): Promise<SkipReason> {
  if (!input.provider.changedFiles) return null;
  const { paths, ignore_paths } = input.repo.monitor;
  const changes = await input.provider.changedFiles(input.target, input.from, input.to, {
    signal: input.signal,
    cacheDir: input.cacheDir,
    ...(input.urgent ? { urgent: true } : {}),
    // Skip markers alone read the newest commit: a provider may skip the files and the range.
    files: Boolean(paths?.length || ignore_paths?.length),
  });
  if (changes.rateLimit) input.onRateLimit(changes.rateLimit, input.provider.id);
  return skipReason(input.repo, changes);
}
