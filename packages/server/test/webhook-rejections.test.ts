import { createLogger } from '@sentry-git/core';
import githubPlugin, { signPayload } from '@sentry-git/provider-github';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { fakeClock } from './fake-clock.js';
import { call, engine, serve, shellRepository } from './helpers.js';

const SECRET = 'webhook-secret-for-rejection-tests-51a2';

interface LogLine {
  level: number;
  msg: string;
  rejected?: number;
  reasons?: Record<string, number>;
}

/** A server whose refused webhooks are logged on a clock the test moves. Nothing is polled. */
async function setup(options: { bodyLimit?: number } = {}) {
  const dir = await tempdir();
  const sentry = await engine(
    {
      polling_interval: 3600,
      server: { webhook_secret: SECRET, ...(options.bodyLimit ? { body_limit: options.bodyLimit } : {}) },
      repositories: [
        shellRepository('app', '', `${dir}/deploys.log`, {
          monitor: {
            repo_url: 'https://forge.invalid/acme/app.git',
            repo_type: 'github',
            api_base_url: 'http://127.0.0.1:9/api/v3',
            branches: ['main'],
          },
        }),
      ],
    },
    { plugins: [githubPlugin], dir },
  );
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    redactor: sentry.redactor,
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  const clock = fakeClock();
  const { url, server } = await serve(sentry, { logger, webhookRejections: { clock } });
  const post = (provider: string, body: string, headers: Record<string, string>) =>
    call(`${url}/webhooks/${provider}`, { method: 'POST', headers, body });
  return { url, server, lines, clock, post };
}

function forged(body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': 'd-1',
    'x-hub-signature-256': signPayload('not the secret', body),
  };
}

/** A counter's value from the /metrics text; 0 when the series is absent. */
async function counter(url: string, series: string): Promise<number> {
  const text = (await call(`${url}/metrics`)).text;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Runs `count` requests, `parallel` at a time; returns their statuses. */
async function flood(count: number, parallel: number, send: () => Promise<{ status: number }>) {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += parallel) {
    const batch = Math.min(parallel, count - sent);
    statuses.push(...(await Promise.all(Array.from({ length: batch }, send))).map((answer) => answer.status));
  }
  return statuses;
}

describe('refused webhooks cannot flood the log', () => {
  it('1,000 forged deliveries: a few log lines, a summary with the right counts, and metrics that count every one', async () => {
    const { url, lines, clock, post } = await setup({ bodyLimit: 16 * 1024 });
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40) });
    const signatures = await flood(1000, 20, () => post('github', body, forged(body)));
    expect(new Set(signatures)).toEqual(new Set([401]));
    const unknown = await flood(7, 7, () => post('bitbucket', body, forged(body)));
    expect(new Set(unknown)).toEqual(new Set([404]));
    const big = 'x'.repeat(20 * 1024);
    const tooLarge = await flood(3, 3, () => post('github', big, forged(big)));
    expect(new Set(tooLarge)).toEqual(new Set([413]));

    const warnings = () => lines.filter((line) => line.level >= 40);
    // The first refusal of each reason, in full.
    expect(warnings().map((line) => line.msg)).toEqual([
      expect.stringMatching(/^server: Webhook refused: X-Hub-Signature-256 does not match/),
      expect.stringMatching(/^server: No provider "bitbucket" is installed\./),
      expect.stringMatching(/^server: The request body is larger than 16384 bytes\./),
    ]);
    clock.tick(60_000);
    expect(warnings()).toHaveLength(4);
    expect(warnings()[3]).toMatchObject({
      rejected: 1010,
      reasons: { WEBHOOK_SIGNATURE_INVALID: 1000, UNKNOWN_PROVIDER: 7, BODY_TOO_LARGE: 3 },
      msg: expect.stringMatching(
        /^server: 1010 webhooks rejected in the last 60 s: 1000 WEBHOOK_SIGNATURE_INVALID, 7 UNKNOWN_PROVIDER, 3 BODY_TOO_LARGE /,
      ),
    });
    // No debug or info line per refusal either.
    expect(lines.length).toBeLessThan(10);

    expect(
      await counter(
        url,
        'sentry_git_webhooks_rejected_total{provider="github",reason="WEBHOOK_SIGNATURE_INVALID"}',
      ),
    ).toBe(1000);
    expect(
      await counter(url, 'sentry_git_webhooks_rejected_total{provider="unknown",reason="UNKNOWN_PROVIDER"}'),
    ).toBe(7);
    expect(
      await counter(url, 'sentry_git_webhooks_rejected_total{provider="github",reason="BODY_TOO_LARGE"}'),
    ).toBe(3);
    expect(await counter(url, 'sentry_git_webhooks_total{provider="github",outcome="rejected"}')).toBe(1003);
    expect(await counter(url, 'sentry_git_webhooks_total{provider="unknown",outcome="rejected"}')).toBe(7);

    // The flood goes on: one summary line per interval, no more first-of-reason lines.
    await flood(200, 20, () => post('github', body, forged(body)));
    clock.tick(60_000);
    expect(warnings()).toHaveLength(5);
    expect(warnings()[4]).toMatchObject({ rejected: 200, reasons: { WEBHOOK_SIGNATURE_INVALID: 200 } });
  });

  it('writes the pending summary when the server closes', async () => {
    const { server, lines, clock, post } = await setup();
    const body = '{}';
    await flood(5, 5, () => post('github', body, forged(body)));
    clock.tick(10_000);
    await server.close();
    expect(lines.filter((line) => line.level >= 40).map((line) => line.rejected)).toEqual([undefined, 5]);
    expect(clock.pending()).toBe(0);
  });

  it('refuses a summary interval that is not a positive number of seconds up to a day', async () => {
    const sentry = await engine({ repositories: [shellRepository('app', './app.git', './deploys.log')] });
    for (const summaryInterval of [0, -1, 86_401, Number.NaN]) {
      expect(() => createServer(sentry, { webhookRejections: { summaryInterval } })).toThrow(
        expect.objectContaining({
          code: 'SERVER_OPTIONS_INVALID',
          path: 'webhookRejections.summaryInterval',
        }),
      );
    }
  });
});
