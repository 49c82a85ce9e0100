export interface ShellExecutorOptions {
  /**
   * The shell that runs a job's commands. It must be bash (or accept bash's options): it is
   * started as `<shell> --noprofile --norc <script>` and the script uses `set -o pipefail`.
   * @default 'bash'
   */
  shell?: string;
  /**
   * Milliseconds between SIGTERM and SIGKILL when a job is cancelled or times out: the time
   * the commands' process group gets to shut down cleanly.
   * @default 5000
   */
  killGraceMs?: number;
  /**
   * The git binary that clones the QA repository.
   * @default 'git'
   */
  gitBinary?: string;
}

export type ResolvedShellExecutorOptions = Required<ShellExecutorOptions>;

export function resolveOptions(options: ShellExecutorOptions = {}): ResolvedShellExecutorOptions {
  const killGraceMs = options.killGraceMs ?? 5000;
  if (!Number.isFinite(killGraceMs) || killGraceMs < 0) {
    throw new TypeError(
      `@sentry-git/executor-shell: killGraceMs must be a number of milliseconds ≥ 0, got ${killGraceMs}`,
    );
  }
  return { shell: options.shell ?? 'bash', killGraceMs, gitBinary: options.gitBinary ?? 'git' };
}
