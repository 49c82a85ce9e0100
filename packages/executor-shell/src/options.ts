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
  /**
   * Keep one bare mirror per QA repository and branch under `<global.tmp_dir>/cache/qa-mirrors/`,
   * fetch it at the start of each job and check the job out from it locally. `false` clones
   * the QA repository directly for every job.
   * @default true
   */
  qaCache?: boolean;
  /**
   * The QA cache's size on disk above which least recently used mirrors (not in use) are removed.
   * @default 2147483648 (2 GiB)
   */
  cacheMaxBytes?: number;
  /**
   * How many mirrors the QA cache keeps; least recently used ones (not in use) are removed first.
   * @default 32
   */
  cacheMaxEntries?: number;
}

export type ResolvedShellExecutorOptions = Required<ShellExecutorOptions>;

function nonNegative(name: string, value: number, unit: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`@sentry-git/executor-shell: ${name} must be a number of ${unit} ≥ 0, got ${value}`);
  }
  return value;
}

export function resolveOptions(options: ShellExecutorOptions = {}): ResolvedShellExecutorOptions {
  return {
    shell: options.shell ?? 'bash',
    killGraceMs: nonNegative('killGraceMs', options.killGraceMs ?? 5000, 'milliseconds'),
    gitBinary: options.gitBinary ?? 'git',
    qaCache: options.qaCache ?? true,
    cacheMaxBytes: nonNegative('cacheMaxBytes', options.cacheMaxBytes ?? 2 * 1024 ** 3, 'bytes'),
    cacheMaxEntries: nonNegative('cacheMaxEntries', options.cacheMaxEntries ?? 32, 'mirrors'),
  };
}
