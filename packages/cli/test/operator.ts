import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import type { ResultPromise } from 'execa';
import type { LongRunning } from './cli.js';

/** Helpers of the operator commands' tests (cancel, rerun, deploy, pause, resume, logs, plan). */

/** Who the CLI records for an action it takes without a server. */
export const ACTOR = `${userInfo().username}@${hostname()}`;

export interface RunJson {
  id: string;
  unit: string;
  trigger: string;
  status: string;
  error: string | null;
  requestedBy: string | null;
  cancelRequest: { by: string; reason: string | null } | null;
  jobs: Array<{
    id: string;
    repository: string;
    branch: string;
    sha: string;
    status: string;
    output: string;
  }>;
}

export async function project(yaml: string): Promise<string> {
  const dir = await tempdir();
  await writeFile(path.join(dir, 'sentry.yaml'), yaml);
  return dir;
}

/** A port free right now (the OS picks it), for a config that must name its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the child's stdout (so far or coming) contains `text`; rejects if it exits first. */
export function stdoutContains(child: ResultPromise, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const check = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        child.stdout!.off('data', check);
        resolve(seen);
      }
    };
    child.stdout!.on('data', check);
    child.then((result) =>
      reject(new Error(`exited (${result.exitCode}) before printing "${text}":\n${seen}\n${result.stderr}`)),
    );
  });
}

/** The id of the first run a watch logged as started for `repository`. */
export async function runStarted(watch: LongRunning, repository: string): Promise<string> {
  const line = await watch.waitForLog(
    (entry) => typeof entry.msg === 'string' && entry.msg.startsWith(`deploying ${repository} `),
  );
  return String(line.runId);
}

/** The log line of a watch saying the run ended (its `status` field). */
export function runEnded(watch: LongRunning, runId: string) {
  return watch.waitForLog(
    (entry) =>
      entry.runId === runId &&
      entry.jobId === undefined &&
      entry.msg === `run ${runId} ${String(entry.status)}`,
  );
}
