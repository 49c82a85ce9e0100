import path from 'node:path';
import { shellQuote } from './script.js';
import { STATUS_FILE } from './status-file.js';

/** The files of a job directory that let a restarted engine adopt the job. */
export interface WrapperPaths {
  jobDir: string;
  /** The commands (see buildScript), run by `shell`. */
  script: string;
  stdout: string;
  stderr: string;
}

/** Where a job directory keeps the files an adopter reads. */
export function jobFiles(jobDir: string): { jobDir: string; stdout: string; stderr: string } {
  return { jobDir, stdout: path.join(jobDir, 'stdout.log'), stderr: path.join(jobDir, 'stderr.log') };
}

/** Exit code of a wrapper that was never told to start (the engine died before recording it). */
export const NOT_STARTED_EXIT = 75;

/**
 * A small POSIX sh script around the commands, the leader of the job's process group. It waits
 * for the engine's "go" on stdin, written once the job's handle (pgid and start time) is in the
 * state store; an engine that dies before closes the pipe, and the commands never start. Then it
 * runs the commands with stdin from /dev/null and writes their exit status to `status` (through
 * a rename, so a reader sees all of it or nothing). Output goes to files the engine opened, not
 * to pipes: a job that outlives the engine must not die of SIGPIPE on its next line.
 */
export function buildWrapper(paths: WrapperPaths, shell: string): string {
  const status = shellQuote(`${paths.jobDir}/${STATUS_FILE}`);
  const tmp = shellQuote(`${paths.jobDir}/${STATUS_FILE}.tmp`);
  return [
    '# Written by @sentry-git/executor-shell; see wrapper.ts.',
    'IFS= read -r go || go=',
    'if [ "$go" != go ]; then',
    `  printf 'not-started\\n' > ${tmp} && mv -f ${tmp} ${status}`,
    `  exit ${NOT_STARTED_EXIT}`,
    'fi',
    'exec < /dev/null',
    `${shellQuote(shell)} --noprofile --norc ${shellQuote(paths.script)}`,
    'code=$?',
    `printf '%s\\n' "$code" > ${tmp} && mv -f ${tmp} ${status}`,
    'exit "$code"',
    '',
  ].join('\n');
}
