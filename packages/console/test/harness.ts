import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GIT_TEST_ENV, tempdir } from '@sentry-git/test-utils';
import { type Browser, chromium, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
/** The built CLI: the console's tests run `sentry-git watch` as a user does. */
const BIN = path.join(ROOT, 'packages/cli/bin/run.js');
const ASSETS = path.join(ROOT, 'packages/console/dist/app/index.html');
export const SCREENSHOTS = path.join(ROOT, 'packages/console/test/screenshots');
export const ADMIN_TOKEN = 'console-admin-token-0001';
export const READ_TOKEN = 'console-read-token-0002';
/** Longest wait for a log line of the watch before the test fails naming it. */
const LOG_WAIT_MS = 30_000;

/** The Chromium the tests drive: $SENTRY_GIT_CHROMIUM, else Debian's `chromium`. */
function chromiumPath(): string {
  const candidates = [process.env.SENTRY_GIT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      "No Chromium for the console tests: run `bash scripts/ensure-chromium.sh` as root (installs Debian's chromium), or set SENTRY_GIT_CHROMIUM to a Chromium or Chrome binary.",
    );
  }
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A page of its own (cookies, storage) at a laptop's size, closed after the test. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  onTestFinished(() => context.close());
  const page = await context.newPage();
  // Everything waited for comes within seconds; a failure should not take Playwright's 30 s.
  page.setDefaultTimeout(15_000);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

export type LogLine = Record<string, unknown> & { msg?: string };

export interface Watch {
  url: string;
  dir: string;
  child: ChildProcess;
  logs: LogLine[];
  /** Resolves with the first log line (seen or coming) that satisfies `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, what?: string): Promise<LogLine>;
}

function serverTokens(tokens: 'admin' | 'admin and read' | 'none'): string {
  if (tokens === 'none') return '';
  const read = tokens === 'admin and read' ? `read_token: "${READ_TOKEN}", ` : '';
  return `token: "${ADMIN_TOKEN}", ${read}`;
}

export interface RepositoryYaml {
  name: string;
  url: string;
  commands: string[];
  group?: string;
}

/**
 * A project folder with a sentry.yaml (SQLite state, the shell executor, the given
 * repositories polled every second, the server on 127.0.0.1 with the tokens asked for),
 * and `sentry-git watch --port 0` running in it; killed after the test.
 */
export async function startWatch(input: {
  repositories: RepositoryYaml[];
  groups?: Record<string, { execution_strategy: string }>;
  /** Which API tokens the server has. @default 'admin' */
  tokens?: 'admin' | 'admin and read' | 'none';
}): Promise<Watch> {
  if (!existsSync(path.join(ROOT, 'packages/cli/dist/index.js')) || !existsSync(ASSETS)) {
    throw new Error('The CLI or the console is not built: run `pnpm build` first (`pnpm test` does).');
  }
  const dir = await tempdir('sentry-git-console-');
  const yaml = [
    'polling_interval: 1',
    'global: { tmp_dir: ./jobs, shutdown_grace: 5 }',
    'state: { driver: sqlite, path: ./state.db }',
    `server: { ${serverTokens(input.tokens ?? 'admin')}host: 127.0.0.1 }`,
    ...(input.groups
      ? [
          'groups:',
          ...Object.entries(input.groups).map(([name, group]) => `  ${name}: ${JSON.stringify(group)}`),
        ]
      : []),
    'repositories:',
    ...input.repositories.flatMap((repository) => [
      `  - name: ${repository.name}`,
      ...(repository.group ? [`    group: ${repository.group}`] : []),
      `    monitor: { repo_url: "${repository.url}", branches: ["main"] }`,
      `    deploy: { project_name: ${repository.name}, commands: ${JSON.stringify(repository.commands)} }`,
    ]),
  ].join('\n');
  await writeFile(path.join(dir, 'sentry.yaml'), `${yaml}\n`);
  return launch(dir, 0);
}

/** Stops the watch as an operator would: SIGTERM, then waits for it to exit. */
export async function stopWatch(watch: Watch): Promise<void> {
  if (watch.child.exitCode !== null || watch.child.signalCode !== null) return;
  const exited = new Promise((resolve) => watch.child.once('exit', resolve));
  watch.child.kill('SIGTERM');
  await exited;
}

/** Starts a stopped watch again in its folder, on the same port (the state is kept in SQLite). */
export function startAgain(watch: Watch): Promise<Watch> {
  return launch(watch.dir, Number(new URL(watch.url).port));
}

/** `sentry-git watch --port <port>` in `dir`, killed after the test. */
async function launch(dir: string, port: number): Promise<Watch> {
  const child = spawn('node', [BIN, 'watch', '--port', String(port), '--log-level', 'debug'], {
    cwd: dir,
    // The deploy commands inherit it: they write what they deploy under $PROJECT_DIR.
    env: { ...process.env, ...GIT_TEST_ENV, NO_COLOR: '1', PROJECT_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  });
  const logs: LogLine[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let pending = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text, raw: true };
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.predicate(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`sentry-git watch exited (${code ?? signal})`)),
  );
  function waitForLog(predicate: (line: LogLine) => boolean, what = 'a log line'): Promise<LogLine> {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    const tail = () =>
      logs
        .slice(-40)
        .map((line) => line.msg)
        .join('\n');
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      new Promise<LogLine>((resolve) => waiters.push({ predicate, resolve })),
      exited.then((why) => {
        throw new Error(`${why} before ${what}. Its log:\n${tail()}`);
      }),
      // A bound on a failure, named, rather than the test's own timeout.
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`No ${what} within ${LOG_WAIT_MS / 1000} s. The log ends:\n${tail()}`)),
          LOG_WAIT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }
  const started = await waitForLog((line) => typeof line.url === 'string', 'the server listened');
  return { url: String(started.url), dir, child, logs, waitForLog };
}

/** A log line's message. */
export function message(line: LogLine): string {
  return typeof line.msg === 'string' ? line.msg : '';
}

/** Calls the API as a script would, with the admin token. */
export async function api<T>(
  watch: Watch,
  route: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${watch.url}${route}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
