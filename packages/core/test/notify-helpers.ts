import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { git } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { definePlugin, type JobResult, type Logger, type SentryPlugin } from '../src/index.js';

/** One request a receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** True once a response has been sent. */
  answered: boolean;
  /** Resolves when the client closed the connection before it got an answer. */
  cutOff: Promise<void>;
  /** Answers a held request. */
  answer(status: number, headers?: Record<string, string>, body?: string): void;
}

/** What the receiver does with request number `index`: answer it, or hold it until the test answers. */
export type Script = (
  index: number,
) => { status: number; headers?: Record<string, string>; body?: string } | 'hold';

export interface TestReceiver {
  /** POST here; anything else is unexpected. */
  url: string;
  requests: Received[];
  /** Requests that were not a POST to `url`: answered 404 and kept here so the test can fail on them. */
  unexpected: string[];
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<Received[]>;
  /** Called for every request as it arrives and as it is answered (for event order). */
  onEvent?: (what: 'received' | 'answered', request: Received) => void;
}

/** A real HTTP server on the loopback interface that records every request. Closed after the test. */
export async function receiver(script: Script = () => ({ status: 200 })): Promise<TestReceiver> {
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const result: TestReceiver = {
    url: '',
    requests: [],
    unexpected: [],
    async waitForRequests(count) {
      if (result.requests.length < count)
        await new Promise<void>((resolve) => waiters.push({ count, resolve }));
      return result.requests;
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/hook') {
        result.unexpected.push(`${request.method} ${request.url}`);
        response.writeHead(404).end();
        return;
      }
      let cutOff!: () => void;
      const received: Received = {
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered: false,
        cutOff: new Promise((resolve) => {
          cutOff = resolve;
        }),
        answer(status, headers = {}, body = '') {
          received.answered = true;
          response.writeHead(status, headers).end(body);
          result.onEvent?.('answered', received);
        },
      };
      response.on('close', () => {
        if (!received.answered) cutOff();
      });
      result.requests.push(received);
      result.onEvent?.('received', received);
      for (const waiter of waiters.filter((w) => result.requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const planned = script(result.requests.length - 1);
      if (planned !== 'hold') received.answer(planned.status, planned.headers, planned.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  result.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return result;
}

/** A URL on the loopback interface where nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

/** A logger that keeps every line as JSON text, unredacted: what reaches it is what would be written. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (obj: object | string, msg?: string) => {
    lines.push(JSON.stringify({ level, obj, msg }));
  };
  const logger = {
    lines,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: () => logger,
  };
  return logger;
}

/**
 * The engine's collaborators for these tests: a `git` provider that lists heads of a real
 * repository with `git ls-remote`, and a `test` executor that fails with `deploy.env.FAIL` when
 * set (core cannot depend on provider-git or executor-shell).
 */
export function testPlugin(): SentryPlugin {
  return definePlugin({
    name: 'notify-test',
    providers: [
      {
        id: 'git',
        capabilities: {
          changedFiles: false,
          commitStatus: false,
          webhooks: false,
        },
        async listHeads(target, { match }) {
          const out = await git(os.tmpdir(), 'ls-remote', '--heads', target.url);
          const heads = out
            .split('\n')
            .filter(Boolean)
            .map((line) => {
              const [sha = '', ref = ''] = line.split('\t');
              return { branch: ref.replace(/^refs\/heads\//, ''), sha };
            });
          return { heads: heads.filter((head) => match(head.branch)) };
        },
      },
    ],
    executors: [
      {
        id: 'test',
        capabilities: { reattach: false },
        async execute(job, context): Promise<JobResult> {
          const error = job.deploy.env?.FAIL ?? null;
          context.output('stdout', `deploying ${job.repository} at ${job.sha}\n`);
          const at = new Date().toISOString();
          return {
            status: error ? 'failed' : 'succeeded',
            exitCode: error ? 1 : 0,
            startedAt: at,
            finishedAt: at,
            durationMs: 0,
            output: `deployed ${job.sha}\n`,
            error,
          };
        },
      },
    ],
  });
}
