import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createLogger,
  createSentry,
  type Logger,
  type Sentry,
  type SentryConfigInput,
  type SentryPlugin,
  type StateStore,
} from '@sentry-git/core';
import executorShell from '@sentry-git/executor-shell';
import providerGit from '@sentry-git/provider-git';
import { tempdir } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { createServer, type SentryServer, type ServerOptions } from '../src/index.js';

export const API_TOKEN = 'api-token-for-tests-3f9c2a7e';

/** A repository deployed by one shell command that appends "branch sha" to `log`. */
export function shellRepository(
  name: string,
  repoUrl: string,
  log: string,
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    monitor: { repo_url: repoUrl, branches: ['main'] },
    deploy: {
      commands: ['echo "deploying $SENTRY_BRANCH"', 'echo "$SENTRY_BRANCH $SENTRY_COMMIT" >> "$LOG"'],
      env: { LOG: log },
    },
    ...extra,
  };
}

/** A real engine (memory state unless the config says otherwise), closed after the test. */
export async function engine(
  config: SentryConfigInput,
  options: { plugins?: SentryPlugin[]; stateStore?: StateStore; dir?: string } = {},
): Promise<Sentry> {
  const dir = options.dir ?? (await tempdir());
  const sentry = await createSentry({
    config: {
      state: { driver: 'memory' },
      ...config,
      global: { tmp_dir: path.join(dir, 'jobs'), ...config.global },
    },
    configDir: dir,
    plugins: [providerGit, executorShell, ...(options.plugins ?? [])],
    env: {},
    ...(options.stateStore ? { stateStore: options.stateStore } : {}),
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** A listening server on loopback, closed after the test. */
export async function serve(
  sentry: Sentry,
  options: ServerOptions = {},
): Promise<{ server: SentryServer; url: string }> {
  const server = createServer(sentry, { defaultMetrics: false, env: {}, ...options });
  onTestFinished(() => server.close());
  const { url } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  json: any;
}

/** One HTTP request; the body is read whole and parsed when it is JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, text, json };
}

/** The lines of a deploy log, sorted; none when no deploy wrote it yet. */
export async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A logger that keeps its JSON lines (redacted like the engine's) for the test to read. */
export function recordingLogger(sentry: Sentry): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    redactor: sentry.redactor,
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}

/** `Authorization: Bearer <token>` as fetch headers. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
