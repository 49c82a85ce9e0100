import { type AuthConfig, createRedactor, redactUrl, SentryError } from '@sentry-git/core';
import { gitAuthEnv } from '@sentry-git/core/internal';
import { nonInteractiveEnv } from './env.js';
import { gitFailureError, gitTimeoutError } from './errors.js';

export interface GitRunRequest {
  /** The repository entry's name, for messages. */
  repository: string;
  url: string;
  type: string;
  auth: AuthConfig | undefined;
  signal: AbortSignal;
  gitBinary: string;
  /** Own deadline; none = only `signal` bounds the call. */
  timeoutMs: number | undefined;
  env: Record<string, string>;
  /** Where git runs (a mirror); default: the current directory. */
  cwd?: string;
  /** See ProviderTarget.configKeys. */
  configKeys?: { url: string; auth: string } | undefined;
}

/** `git ls-remote --heads` against the remote; returns its stdout. */
export function lsRemoteHeads(request: GitRunRequest): Promise<string> {
  return runGit(request, (url) => ['ls-remote', '--heads', '--', url], 'git ls-remote');
}

/**
 * Runs git with the remote's credentials in its environment (`args` gets the URL without
 * them) and returns its stdout. git runs as the leader of its own process group so that a
 * timeout or an abort also kills what it started (`git-remote-https`, `ssh`), which hold the
 * connection and would otherwise outlive it.
 */
export async function runGit(
  request: GitRunRequest,
  args: (url: string) => string[],
  command: string,
): Promise<string> {
  const { signal } = request;
  if (signal.aborted) throw signal.reason;
  const auth = gitAuthEnv(request.url, request.auth, request.type);
  const redactor = createRedactor(auth.secrets);
  const shownUrl = redactUrl(request.url);
  const inherited = { ...process.env, ...request.env };
  // Imported here, not at the top: registering the provider must not load execa (start-up time).
  const { execa } = await import('execa');

  const subprocess = execa(request.gitBinary, args(auth.url), {
    ...(request.cwd ? { cwd: request.cwd } : {}),
    env: { ...request.env, ...auth.env, ...nonInteractiveEnv(inherited) },
    extendEnv: true,
    stdin: 'ignore',
    cancelSignal: signal,
    killSignal: 'SIGKILL',
    detached: true,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  // Killing only git is not enough: its children keep the stderr pipe open, and execa waits for
  // that pipe, so the group is killed the moment the deadline passes or the signal fires.
  let timedOut = false;
  const killTree = (): void => killGroup(subprocess.pid);
  const timer =
    request.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killTree();
        }, request.timeoutMs);
  signal.addEventListener('abort', killTree, { once: true });
  const result = await subprocess.finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', killTree);
  });
  if (!result.failed) return result.stdout;

  killTree();
  if (result.isCanceled || signal.aborted) {
    // The caller decides what an abort means (shutdown, its own deadline): hand back its reason.
    throw (
      signal.reason ??
      new SentryError('GIT_ABORTED', `Listing the branches of "${request.repository}" was aborted.`)
    );
  }
  if (timedOut) throw gitTimeoutError(request.repository, shownUrl, request.timeoutMs ?? 0, command);
  const spawnCode = 'code' in result && typeof result.code === 'string' ? result.code : undefined;
  throw gitFailureError({
    repository: request.repository,
    url: shownUrl,
    stderr: redactor.redact(String(result.stderr ?? '')),
    exitCode: result.exitCode,
    spawnCode,
    gitBinary: request.gitBinary,
    command,
    cause: spawnCode ? redactor.redactValue(result) : undefined,
    configKeys: request.configKeys,
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
