import { existsSync } from 'node:fs';
import path from 'node:path';
import { GIT_TEST_ENV } from '@sentry-git/test-utils';
import { execa, type ResultPromise } from 'execa';
import { onTestFinished } from 'vitest';

export const BIN = path.resolve(__dirname, '../bin/run.js');
const DIST = path.resolve(__dirname, '../dist/index.js');

function env(extra: Record<string, string> = {}): Record<string, string> {
  if (!existsSync(DIST))
    throw new Error(
      `The CLI is not built (${DIST} is missing): run \`pnpm build\` first (\`pnpm test\` does).`,
    );
  return { ...GIT_TEST_ENV, NO_COLOR: '1', ...extra };
}

/** Runs `sentry-git ...args` to completion; `input` is written to its stdin. */
export function cli(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string }) {
  return execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: env(options.env),
    reject: false,
    timeout: 120_000,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

export interface LongRunning {
  child: ResultPromise;
  /** JSON log lines seen so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line (already seen or coming) that satisfies `predicate`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** Starts `sentry-git ...args` in the background, parsing its JSON log lines from stderr. */
export function spawnCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): LongRunning {
  const child = execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: env(options.env),
    reject: false,
    buffer: true,
    lines: false,
  });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];
  let pending = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(part) as Record<string, unknown>;
      } catch {
        line = { msg: part, raw: true };
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  return {
    child,
    logs,
    waitForLog(predicate) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        child.then((result) =>
          reject(
            new Error(
              `sentry-git exited (${result.exitCode}) before the expected log line. stderr:\n${result.stderr}`,
            ),
          ),
        );
      });
    },
  };
}
