import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  type JobRecord,
  type RunRecord,
  type SentryConfigInput,
  type SentryEvents,
  validateConfig,
} from '../src/index.js';
import { attachNotifier, createEventBus, resolveConfig } from '../src/internal.js';
import { captureLogger, deadUrl, receiver } from './notify-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = 'notify-signing-secret-42';

function repository(name: string, webhook_url?: string) {
  return {
    name,
    monitor: { repo_url: `https://git.example.invalid/${name}.git`, branches: ['main'] },
    deploy: { executor: 'test' },
    ...(webhook_url === undefined ? {} : { webhook_url }),
  };
}

function job(repository: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: `job-${repository}`,
    runId: 'run-1',
    position: 0,
    repository,
    branch: 'main',
    sha: 'a'.repeat(40),
    previousSha: 'b'.repeat(40),
    status: 'succeeded',
    exitCode: 0,
    startedAt: '2025-01-01T00:00:01.000Z',
    finishedAt: '2025-01-01T00:00:03.000Z',
    durationMs: 2000,
    output: 'a long deploy log\n',
    error: null,
    attempt: 1,
    handle: null,
    ...overrides,
  };
}

function run(jobs: JobRecord[], id = 'run-1'): RunRecord {
  return {
    id,
    unit: 'repository:alpha',
    trigger: 'poll',
    status: 'succeeded',
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: '2025-01-01T00:00:01.000Z',
    finishedAt: '2025-01-01T00:00:03.000Z',
    error: null,
    attempts: 0,
    requestedBy: null,
    cancelRequest: null,
    jobs,
  };
}

/** A notifier on a real bus with the given configuration; failures are collected. */
function setup(input: Partial<SentryConfigInput>) {
  const config = validateConfig({ repositories: [repository('alpha')], ...input });
  const redactor = createRedactor([config.notifications.secret]);
  const bus = createEventBus(redactor);
  const logger = captureLogger();
  const failures: Array<SentryEvents['notification:failed']> = [];
  bus.on('notification:failed', (payload) => failures.push(payload));
  const notifier = attachNotifier({ bus, config, redactor, logger });
  return { bus, notifier, logger, failures, redactor };
}

describe('attachNotifier', () => {
  it('POSTs one signed summary per receiver per run, without output, to the involved repositories only', async () => {
    const shared = await receiver();
    const other = await receiver();
    const { bus, notifier, failures } = setup({
      // The same URL three times (listed twice, and alpha's webhook_url) is one receiver.
      notifications: { urls: [shared.url, shared.url], secret: SECRET },
      repositories: [repository('alpha', shared.url), repository('beta', other.url), repository('gamma', '')],
    });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();

    expect(shared.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
    expect([shared.unexpected, other.unexpected, failures]).toEqual([[], [], []]);
    const [request] = shared.requests;
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'sentry-git',
      'x-sentry-event': 'run.finished',
    });
    expect(request!.headers['x-sentry-delivery']).toMatch(UUID);
    const expected = `sha256=${createHmac('sha256', SECRET).update(request!.body).digest('hex')}`;
    expect(request!.headers['x-sentry-signature-256']).toBe(expected);
    expect(JSON.parse(request!.body)).toEqual({
      event: 'run.finished',
      run: {
        id: 'run-1',
        unit: 'repository:alpha',
        trigger: 'poll',
        status: 'succeeded',
        createdAt: '2025-01-01T00:00:00.000Z',
        startedAt: '2025-01-01T00:00:01.000Z',
        finishedAt: '2025-01-01T00:00:03.000Z',
        error: null,
        attempts: 0,
      },
      jobs: [
        {
          id: 'job-alpha',
          repository: 'alpha',
          branch: 'main',
          sha: 'a'.repeat(40),
          previousSha: 'b'.repeat(40),
          status: 'succeeded',
          exitCode: 0,
          durationMs: 2000,
          error: null,
        },
      ],
    });
    expect(request!.body).not.toContain(SECRET);
  });

  it('sends a group run to the webhook_url of every member with a job in it', async () => {
    const [alphaHook, betaHook] = [await receiver(), await receiver()];
    const { bus, notifier } = setup({
      repositories: [repository('alpha', alphaHook.url), repository('beta', betaHook.url)],
    });
    bus.emit('run:finish', { run: run([job('alpha'), job('beta', { position: 1, status: 'failed' })]) });
    await notifier.flush();
    expect(alphaHook.requests).toHaveLength(1);
    expect(betaHook.requests).toHaveLength(1);
    // One body for the run; each receiver gets its own delivery id.
    expect(alphaHook.requests[0]!.body).toBe(betaHook.requests[0]!.body);
    expect(alphaHook.requests[0]!.headers['x-sentry-delivery']).not.toBe(
      betaHook.requests[0]!.headers['x-sentry-delivery'],
    );
  });

  it('sends no signature without a secret', async () => {
    const hook = await receiver();
    const { bus, notifier } = setup({ notifications: { urls: [hook.url] } });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.headers['x-sentry-signature-256']).toBeUndefined();
  });

  it('retries 503 with backoff: three attempts carrying one delivery id', async () => {
    const hook = await receiver((index) => ({ status: index < 2 ? 503 : 200 }));
    const { bus, notifier, failures } = setup({ notifications: { urls: [hook.url], max_retries: 3 } });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();
    expect(hook.requests).toHaveLength(3);
    const ids = new Set(hook.requests.map((request) => request.headers['x-sentry-delivery']));
    expect(ids.size).toBe(1);
    expect(new Set(hook.requests.map((request) => request.body)).size).toBe(1);
    expect(failures).toEqual([]);
  });

  it('honours Retry-After on 429, and does not retry other 4xx answers', async () => {
    const limited = await receiver((index) =>
      index === 0 ? { status: 429, headers: { 'Retry-After': '0' } } : { status: 204 },
    );
    const refusing = await receiver(() => ({ status: 400, body: 'unknown channel' }));
    const { bus, notifier, failures, logger } = setup({
      notifications: { urls: [limited.url, refusing.url], max_retries: 3 },
    });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();
    expect(limited.requests).toHaveLength(2);
    expect(refusing.requests).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      runId: 'run-1',
      receiver: `notifications.urls[1] (${new URL(refusing.url).origin})`,
      deliveryId: refusing.requests[0]!.headers['x-sentry-delivery'],
      attempts: 1,
      status: 400,
    });
    expect(failures[0]!.error).toMatchObject({ code: 'NOTIFICATION_REJECTED' });
    expect(failures[0]!.error.message).toContain('answered HTTP 400: unknown channel');
    const warnings = logger.lines.filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('notification of run run-1 failed after 1 attempt(s)');
  });

  it('gives up after max_retries and reports notification:failed with the last status', async () => {
    const broken = await receiver(() => ({ status: 503, headers: { 'Retry-After': '0' } }));
    const { bus, notifier, failures } = setup({ notifications: { urls: [broken.url], max_retries: 2 } });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();
    expect(broken.requests).toHaveLength(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ attempts: 3, status: 503 });
  });

  it('reports a receiver that refuses connections, and retries one that does not answer in time', async () => {
    const silent = await receiver(() => 'hold');
    const { bus, notifier, failures } = setup({
      notifications: { urls: [await deadUrl(), silent.url], timeout: 0.2, max_retries: 1 },
    });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();
    const byCode = Object.fromEntries(
      failures.map((failure) => [(failure.error as { code?: string }).code, failure]),
    );
    expect(byCode.NOTIFICATION_UNREACHABLE).toMatchObject({ attempts: 2, status: null });
    expect(byCode.NOTIFICATION_UNREACHABLE!.error.message).toContain('ECONNREFUSED');
    expect(byCode.NOTIFICATION_TIMEOUT).toMatchObject({ attempts: 2, status: null });
    // Each timed-out attempt was cut off; the retry carried the same delivery id.
    expect(silent.requests).toHaveLength(2);
    await Promise.all(silent.requests.map((request) => request.cutOff));
    expect(new Set(silent.requests.map((request) => request.headers['x-sentry-delivery'])).size).toBe(1);
  });

  it('detach() aborts deliveries in flight and stops listening', async () => {
    const silent = await receiver(() => 'hold');
    const { bus, notifier, failures } = setup({ notifications: { urls: [silent.url], timeout: 60 } });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    const [request] = await silent.waitForRequests(1);
    await notifier.detach();
    await request!.cutOff;
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toMatchObject({ code: 'NOTIFICATION_ABANDONED' });
    expect(bus.listenerCount('run:finish')).toBe(0);
  });

  it('detach({ graceMs }) lets a delivery in flight finish first', async () => {
    const slow = await receiver(() => 'hold');
    const { bus, notifier, failures } = setup({ notifications: { urls: [slow.url], timeout: 60 } });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    const [request] = await slow.waitForRequests(1);
    let detached = false;
    const detaching = notifier.detach({ graceMs: 60_000 }).then(() => {
      detached = true;
    });
    // The grace period holds detach() open until the receiver answers.
    expect(detached).toBe(false);
    request!.answer(200);
    await detaching;
    expect(failures).toEqual([]);
  });

  it('refuses a webhook_url that is not a URL when the config loads, and accepts "" as none', () => {
    const config = (webhook_url: string) => ({
      repositories: [{ ...repository('alpha', webhook_url), deploy: { executor: 'test' } }],
    });
    expect(() => resolveConfig(config('hooks.example.com/x'), { env: {} })).toThrow(
      /repositories\[0\]\.webhook_url: must be a URL/,
    );
    expect(resolveConfig(config(''), { env: {} }).config.repositories[0]?.webhook_url).toBe('');
  });

  it('sends credentials written into the URL as Basic auth and never names them', async () => {
    const hook = await receiver(() => ({ status: 401 }));
    const url = hook.url.replace('http://', 'http://deployer:hunter2-password@');
    const { bus, notifier, failures, logger } = setup({ notifications: { urls: [url] } });
    bus.emit('run:finish', { run: run([job('alpha')]) });
    await notifier.flush();
    expect(hook.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('deployer:hunter2-password').toString('base64')}`,
    );
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures)).not.toContain('hunter2');
    expect(logger.lines.join('\n')).not.toContain('hunter2');
  });
});
