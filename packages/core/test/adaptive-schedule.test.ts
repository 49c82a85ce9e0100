import { gitdir } from '@sentry-git/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHealthBook } from '../src/engine/health.js';
import { repositoryStatus } from '../src/engine/status.js';
import { ConfigError, createMemoryStateStore, createSentry, validateConfig } from '../src/index.js';
import { createRegistry } from '../src/plugins/registry.js';
import { createRedactor } from '../src/redact.js';
import { testPlugin } from './notify-helpers.js';

const repos = validateConfig({
  polling_interval: 60,
  global: { max_polling_interval: 300 },
  repositories: [
    { name: 'a', monitor: { repo_url: 'x', branches: ['main'] }, deploy: { commands: ['true'] } },
  ],
}).repositories;
const repo = repos[0]!;

describe('adaptive due times (injected clock)', () => {
  it('schedules the next poll one effective interval ahead, backing off from that interval on failures', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0, maxInterval: 300 });
    expect(book.record(repo, null, 0)).toMatchObject({ effectiveInterval: 90, nextDueAt: 90_000 });
    // A failure neither stretches nor resets; backoff doubles the interval it found.
    expect(book.record(repo, 'host down', 90_000)).toMatchObject({
      effectiveInterval: 90,
      consecutiveFailures: 1,
      nextDueAt: 90_000 + 180_000,
    });
    expect(book.record(repo, null, 270_000)).toMatchObject({ effectiveInterval: 135, nextDueAt: 405_000 });
    expect(book.record(repo, null, 405_000, { active: true })).toMatchObject({
      effectiveInterval: 60,
      nextDueAt: 465_000,
    });
  });

  it('a failed webhook poll does not push back a scheduled poll that was due sooner', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0, maxInterval: 300 });
    expect(book.record(repo, null, 0).nextDueAt).toBe(90_000);
    // 10 s later a webhook's poll times out: its backoff (180 s) would be after the poll due at 90 s.
    expect(book.record(repo, 'timed out', 10_000, { unscheduled: true, active: true })).toMatchObject({
      consecutiveFailures: 1,
      nextDueAt: 90_000,
    });
    // A scheduled poll that fails backs off as before, from the failures counted so far.
    expect(book.record(repo, 'timed out', 90_000).nextDueAt).toBe(90_000 + 4 * 60_000);
    // A rate limit waits for its reset even for an unscheduled poll.
    expect(
      book.record(repo, 'rate limited', 100_000, { unscheduled: true, retryAt: 900_000 }).nextDueAt,
    ).toBe(901_000);
  });

  it('a rate limit still waits for the reset, whatever the interval', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0, maxInterval: 300 });
    expect(book.record(repo, 'rate limited', 0, { retryAt: 1_000_000 }).nextDueAt).toBe(1_001_000);
  });

  it('keeps jitter on top of the stretched interval', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0.1, maxInterval: 300 });
    for (let i = 0; i < 5; i += 1) book.record(repo, null, 0);
    const { effectiveInterval, nextDueAt } = book.get('a');
    expect(effectiveInterval).toBe(300);
    expect(nextDueAt).toBeGreaterThanOrEqual(270_000);
    expect(nextDueAt).toBeLessThanOrEqual(330_000);
  });

  it('activity without a poll pulls the next poll forward to one base interval, unless backoff holds it', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0, maxInterval: 300 });
    for (let i = 0; i < 5; i += 1) book.record(repo, null, 0);
    expect(book.get('a').nextDueAt).toBe(300_000);
    expect(book.activity(repo, 10_000)).toMatchObject({ effectiveInterval: 60, nextDueAt: 70_000 });

    book.record(repo, 'host down', 100_000);
    const backedOff = book.get('a').nextDueAt;
    expect(book.activity(repo, 100_000)).toMatchObject({ effectiveInterval: 60, nextDueAt: backedOff });
  });
});

describe('the last poll', () => {
  it('is kept as a number per poll and formatted only where status() shows it', async () => {
    const config = validateConfig({
      repositories: [
        { name: 'a', monitor: { repo_url: 'x', branches: ['main'] }, deploy: { commands: ['true'] } },
      ],
    });
    const book = createHealthBook(config.repositories, { interval: 60, jitter: 0 });
    expect(book.get('a').lastPolledAt).toBeNull();
    expect(book.record(repo, 'host down', 90_000).lastPolledAt).toBe(90_000);
    const status = await repositoryStatus({
      config,
      store: createMemoryStateStore(),
      registry: createRegistry(),
      redactor: createRedactor([]),
      health: book,
    });
    expect(status[0]!.health.lastPollAt).toBe('1970-01-01T00:01:30.000Z');
  });
});

describe('adaptive polling configuration', () => {
  function issues(input: unknown) {
    try {
      validateConfig(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).issues;
    }
    throw new Error('expected a ConfigError');
  }
  const entry = (monitor: Record<string, unknown>) => ({
    name: 'a',
    monitor: { repo_url: 'x', branches: ['main'], ...monitor },
    deploy: { commands: ['true'] },
  });

  it('refuses a maximum shorter than the interval it stretches, naming the key', () => {
    expect(
      issues({ polling_interval: 60, global: { max_polling_interval: 30 }, repositories: [entry({})] }),
    ).toEqual([
      expect.objectContaining({
        path: 'global.max_polling_interval',
        message: expect.stringContaining('shorter than polling_interval (60 s)'),
      }),
    ]);
    expect(issues({ repositories: [entry({ polling_interval: 120, max_polling_interval: 90 })] })).toEqual([
      expect.objectContaining({
        path: 'repositories[0].monitor.max_polling_interval',
        message: expect.stringContaining('shorter than its monitor.polling_interval (120 s)'),
      }),
    ]);
    expect(issues({ global: { max_polling_interval: 0 }, repositories: [entry({})] })[0]?.path).toBe(
      'global.max_polling_interval',
    );
  });

  it('accepts a global maximum below one repository’s own interval (no stretching for it)', () => {
    const config = validateConfig({
      global: { max_polling_interval: '300' },
      repositories: [entry({ polling_interval: 600 })],
    });
    expect(config.global.max_polling_interval).toBe(300);
  });
});

describe('the scheduler after activity (fake timers: time is the subject)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a manual trigger wakes the scheduler one base interval later, not at the stretched due time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fixture = await gitdir();
    await fixture.commit('main');
    const sentry = await createSentry({
      config: {
        polling_interval: 60,
        global: { max_polling_interval: 600, jitter: 0 },
        state: { driver: 'memory' },
        repositories: [
          {
            name: 'alpha',
            monitor: { repo_url: fixture.url, repo_type: 'git', branches: ['main'] },
            deploy: { executor: 'test' },
          },
        ],
      },
      plugins: [testPlugin()],
      env: {},
    });
    const started: number[] = [];
    const finished: number[] = [];
    sentry.on('poll:start', ({ cycle }) => started.push(cycle));
    let onFinish: () => void = () => {};
    sentry.on('poll:finish', ({ cycle }) => {
      finished.push(cycle);
      onFinish();
    });
    const nextCycle = () => new Promise<void>((resolve) => (onFinish = resolve));

    let polled = nextCycle();
    await sentry.start();
    await vi.advanceTimersByTimeAsync(0);
    await polled;
    for (const interval of [90, 135, 202.5]) {
      polled = nextCycle();
      await vi.advanceTimersByTimeAsync(interval * 1000);
      await polled;
    }
    const [stretched] = await sentry.status();
    expect(stretched?.effectiveInterval).toBe(303.75);
    expect(finished).toEqual([1, 2, 3, 4]);

    const runs = await sentry.trigger();
    await sentry.waitForRuns(runs.map((run) => run.id));
    const [reset] = await sentry.status();
    expect(reset?.effectiveInterval).toBe(60);
    polled = nextCycle();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(started).toEqual([1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(1_000);
    // Started by the timer itself: without the reset the next poll would wait 303.75 s.
    expect(started).toEqual([1, 2, 3, 4, 5]);
    await polled;
    expect(finished).toEqual([1, 2, 3, 4, 5]);
    await sentry.close({ graceMs: 0 });
  });
});

describe('repositories another replica polls (assign)', () => {
  const three = validateConfig({
    polling_interval: 60,
    repositories: ['a', 'b', 'c'].map((name) => ({
      name,
      monitor: { repo_url: 'x', branches: ['main'] },
      deploy: { commands: ['true'] },
    })),
  }).repositories;

  it('are never due nor counted for the next wake-up, and one that comes back is due at once', () => {
    const book = createHealthBook(three, { interval: 60, jitter: 0 });
    expect(book.due(0).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    book.assign(new Set(['b']), 0);
    expect(book.due(0).map((r) => r.name)).toEqual(['b']);
    book.record(three[1]!, null, 0);
    expect(book.earliest()).toBe(60_000);
    expect(book.due(1_000_000).map((r) => r.name)).toEqual(['b']);
    book.assign(new Set(), 0);
    expect(book.earliest()).toBe(Number.POSITIVE_INFINITY);
    // Both come back (b was parked in between): both due at once.
    book.assign(new Set(['a', 'b']), 5_000);
    expect(book.get('a').nextDueAt).toBe(5_000);
    expect(book.due(5_000).map((r) => r.name)).toEqual(['a', 'b']);
    // One still held keeps its schedule.
    book.record(three[0]!, null, 5_000);
    book.assign(new Set(['a', 'b']), 6_000);
    expect(book.due(6_000).map((r) => r.name)).toEqual(['b']);
  });
});
