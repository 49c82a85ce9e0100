import { createOutputTail, type Redactor } from '@sentry-git/core';
import type { OutputSink } from './output.js';
import { runInProcessGroup } from './process-group.js';
import { type QaRepositoryRef, qaFailureHint } from './qa-failure.js';

export interface GitRunOptions {
  gitBinary: string;
  args: string[];
  cwd: string;
  /** Added to sentry-git's environment (credentials from gitAuthEnv, nothing else). */
  env: Record<string, string>;
  signal: AbortSignal;
  killGraceMs: number;
  output: OutputSink;
  redactor: Redactor;
}

export type GitRunResult = { ok: true } | { ok: false; aborted: boolean; how: string; detail: string };

/** How much of git's stderr a failure quotes. */
const ERROR_TAIL_BYTES = 2048;

/**
 * Runs one git command in its own process group. What it prints goes, redacted, to the
 * `system` stream: git's work is the executor's, not the deploy's commands'.
 */
export async function runGitStep(options: GitRunOptions): Promise<GitRunResult> {
  const errors = createOutputTail(ERROR_TAIL_BYTES);
  const result = await runInProcessGroup(options.gitBinary, options.args, {
    cwd: options.cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
    signal: options.signal,
    killGraceMs: options.killGraceMs,
    onOutput(stream, text) {
      const safe = options.redactor.redact(text);
      if (stream === 'stderr') errors.push(safe);
      options.output.write('system', safe);
    },
  });
  if (result.aborted) return { ok: false, aborted: true, how: 'was stopped', detail: '' };
  if (result.exitCode === 0) return { ok: true };
  const how = result.spawnError
    ? `could not start ${options.gitBinary}: ${options.redactor.redact(result.spawnError)}`
    : result.exitCode === null
      ? `git was killed by ${result.signal ?? 'a signal'}`
      : `git exited with code ${result.exitCode}`;
  return { ok: false, aborted: false, how, detail: errors.toString().trim() };
}

/**
 * The one-line-plus-detail error a failed git step turns into. For a QA repository the first
 * line also says what git's stderr means and which key to fix.
 */
export function gitFailure(
  what: string,
  failure: { how: string; detail: string },
  qa?: QaRepositoryRef,
): string {
  const hint = qa ? qaFailureHint(failure.detail, qa) : undefined;
  return `${what} failed: ${failure.how}${hint ? `. ${hint}` : ''}${failure.detail ? `\n${failure.detail}` : ''}`;
}
