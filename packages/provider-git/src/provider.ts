import type {
  ChangedFiles,
  GitProvider,
  ListHeadsOptions,
  ListHeadsResult,
  ProviderTarget,
} from '@sentry-git/core';
import { type GitRunRequest, lsRemoteHeads } from './ls-remote.js';
import { createMirrorCache } from './mirror.js';
import { parseLsRemote } from './parse.js';

export interface GitProviderOptions {
  /**
   * The git executable to run (a name looked up on `PATH`, or a path).
   * @default 'git'
   */
  gitBinary?: string;
  /**
   * How long one `git ls-remote` may take before it is killed (with its children) and the call
   * rejects with `GIT_TIMEOUT`. Without it the caller's signal alone bounds the call (the engine
   * aborts each poll at `global.poll_timeout`).
   * @default undefined (no limit of its own)
   */
  timeoutMs?: number;
  /**
   * Extra environment for git (e.g. `GIT_SSH_COMMAND`, `HTTPS_PROXY`), on top of the process
   * environment. Settings that would let git wait for a prompt are always overridden.
   * @default {}
   */
  env?: Record<string, string>;
}

/**
 * A provider for any Git host, through `git ls-remote`: https, http, ssh, git, scp-like
 * `user@host:path`, file:// and local paths. It has no conditional requests, so every poll asks
 * the remote; API providers use it as their fallback.
 */
export function createGitProvider(options: GitProviderOptions = {}): GitProvider {
  const gitBinary = options.gitBinary ?? 'git';
  const timeoutMs = options.timeoutMs;
  const env = { ...options.env };

  const mirrors = createMirrorCache();

  function request(target: ProviderTarget, signal: AbortSignal): GitRunRequest {
    return {
      repository: target.repository,
      url: target.url,
      type: target.type,
      auth: target.auth,
      signal,
      gitBinary,
      timeoutMs,
      env,
      configKeys: target.configKeys,
    };
  }

  async function listHeads(
    target: ProviderTarget,
    { match, signal }: ListHeadsOptions,
  ): Promise<ListHeadsResult> {
    const output = await lsRemoteHeads(request(target, signal));
    return { heads: parseLsRemote(output).filter((head) => match(head.branch)) };
  }

  async function changedFiles(
    target: ProviderTarget,
    from: string,
    to: string,
    { signal, cacheDir }: { signal: AbortSignal; cacheDir: string },
  ): Promise<ChangedFiles> {
    return mirrors.changedFiles(request(target, signal), from, to, cacheDir);
  }

  return {
    id: 'git',
    capabilities: { changedFiles: true, commitStatus: false, webhooks: false },
    listHeads,
    changedFiles,
  };
}
