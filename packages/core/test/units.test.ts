import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createHealthBook } from '../src/engine/health.js';
import {
  createRedactor,
  type Job,
  type JobResult,
  loadPlugins,
  REDACTED,
  SentryError,
  timeoutError,
  validateConfig,
} from '../src/index.js';
import {
  abortableDelay,
  backoffDelay,
  corePlugin,
  createEventBus,
  createRegistry,
  detectChanges,
  hmacSha256Hex,
  literalBranch,
  literalBranches,
  nextPollDelayMs,
  parallelStrategy,
  safeEqual,
  sequentialStrategy,
} from '../src/internal.js';
import { makeJob } from '../src/testing/index.js';

function result(status: JobResult['status']): JobResult {
  const at = new Date().toISOString();
  return {
    status,
    exitCode: status === 'succeeded' ? 0 : 1,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    output: '',
    error: null,
  };
}

function jobs(...names: string[]): Job[] {
  return names.map((name) => makeJob({ id: name, repository: name }));
}

/** Records start/finish order and how many ran at once; each job ends when the test releases it. */
function harness(outcomes: Record<string, JobResult['status']> = {}) {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  const releases = new Map<string, () => void>();
  const started: string[] = [];
  const startWaiters: Array<() => void> = [];
  async function runOne(job: Job): Promise<JobResult> {
    running += 1;
    peak = Math.max(peak, running);
    events.push(`start ${job.id}`);
    started.push(job.id);
    for (const wake of startWaiters.splice(0)) wake();
    await new Promise<void>((resolve) => releases.set(job.id, resolve));
    running -= 1;
    events.push(`end ${job.id}`);
    return result(outcomes[job.id] ?? 'succeeded');
  }
  async function whenStarted(count: number): Promise<void> {
    while (started.length < count) await new Promise<void>((resolve) => startWaiters.push(resolve));
  }
  return {
    events,
    runOne,
    whenStarted,
    release: (id: string) => releases.get(id)?.(),
    peak: () => peak,
    started,
  };
}

describe('parallel strategy', () => {
  it('runs at most max_parallel members at once', async () => {
    const h = harness();
    const done = parallelStrategy.run(jobs('a', 'b', 'c'), h.runOne, {
      maxParallel: 2,
      continueOnError: true,
      signal: new AbortController().signal,
    });
    await h.whenStarted(2);
    expect(h.started).toEqual(['a', 'b']);
    h.release('a');
    await h.whenStarted(3);
    h.release('b');
    h.release('c');
    const results = await done;
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(h.peak()).toBe(2);
  });

  it('starts nothing more once aborted, and after a failure without continue_on_error', async () => {
    const h = harness({ a: 'failed' });
    const done = parallelStrategy.run(jobs('a', 'b'), h.runOne, {
      maxParallel: 1,
      continueOnError: false,
      signal: new AbortController().signal,
    });
    await h.whenStarted(1);
    h.release('a');
    const results = await done;
    expect(results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    const aborted = new AbortController();
    aborted.abort(timeoutError('group'));
    const none = await parallelStrategy.run(jobs('x'), h.runOne, {
      maxParallel: 1,
      continueOnError: true,
      signal: aborted.signal,
    });
    expect(none[0]!.status).toBe('skipped');
  });
});

describe('sequential strategy', () => {
  it('runs in order and stops at the first failure unless continue_on_error', async () => {
    const h = harness({ b: 'failed' });
    const signal = new AbortController().signal;
    const done = sequentialStrategy.run(jobs('a', 'b', 'c'), h.runOne, {
      maxParallel: 1,
      continueOnError: false,
      signal,
    });
    await h.whenStarted(1);
    h.release('a');
    await h.whenStarted(2);
    h.release('b');
    const results = await done;
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(results[2]!.error).toMatch(/b \(main\) ended failed/);
    expect(h.events).toEqual(['start a', 'end a', 'start b', 'end b']);

    const h2 = harness({ a: 'failed' });
    const done2 = sequentialStrategy.run(jobs('a', 'b'), h2.runOne, {
      maxParallel: 1,
      continueOnError: true,
      signal,
    });
    await h2.whenStarted(1);
    h2.release('a');
    await h2.whenStarted(2);
    h2.release('b');
    expect((await done2).map((r) => r.status)).toEqual(['failed', 'succeeded']);
  });
});

describe('change detection', () => {
  const all = () => true;
  it('records a baseline at the first sighting', () => {
    expect(detectChanges('r', { seen: false, heads: [] }, [{ branch: 'main', sha: '1' }], all)).toEqual([
      { repository: 'r', branch: 'main', before: null, after: '1', kind: 'baseline' },
    ]);
  });
  it('reports created, updated and deleted heads once seen', () => {
    const stored = {
      seen: true,
      heads: [
        { repository: 'r', branch: 'main', sha: '1', updatedAt: '', deployedSha: null },
        { repository: 'r', branch: 'old', sha: '9', updatedAt: '', deployedSha: null },
      ],
    };
    const changes = detectChanges(
      'r',
      stored,
      [
        { branch: 'main', sha: '2' },
        { branch: 'dev-x', sha: '3' },
      ],
      all,
    );
    expect(changes).toEqual([
      { repository: 'r', branch: 'main', before: '1', after: '2', kind: 'updated' },
      { repository: 'r', branch: 'dev-x', before: null, after: '3', kind: 'created' },
      { repository: 'r', branch: 'old', before: '9', after: null, kind: 'deleted' },
    ]);
  });
  it('ignores unmatched branches, and stored heads the patterns no longer match', () => {
    const stored = {
      seen: true,
      heads: [{ repository: 'r', branch: 'legacy', sha: '1', updatedAt: '', deployedSha: null }],
    };
    expect(detectChanges('r', stored, [{ branch: 'feature', sha: '2' }], (b) => b === 'main')).toEqual([]);
  });
});

describe('poll backoff', () => {
  it('doubles per failure, capped, and spreads by jitter', () => {
    expect(nextPollDelayMs(60, 0, 0)).toBe(60_000);
    expect(nextPollDelayMs(60, 2, 0)).toBe(240_000);
    expect(nextPollDelayMs(60, 20, 0)).toBe(1_800_000);
    expect(nextPollDelayMs(60, 0, 0.1, () => 1)).toBe(66_000);
    expect(nextPollDelayMs(60, 0, 0.1, () => 0)).toBe(54_000);
  });
});

describe('redaction', () => {
  it('hides secrets, their encoded forms, and URL credentials', () => {
    const redactor = createRedactor(['s3cr3t/+token']);
    expect(redactor.redact('token=s3cr3t/+token')).toBe(`token=${REDACTED}`);
    expect(redactor.redact(encodeURIComponent('s3cr3t/+token'))).toBe(REDACTED);
    expect(redactor.redact('clone https://bob:hunter22@host/x.git')).toBe(
      `clone https://bob:${REDACTED}@host/x.git`,
    );
    const value = redactor.redactValue({
      list: ['s3cr3t/+token'],
      error: new SentryError('INTERNAL_ERROR', 'bad s3cr3t/+token'),
    });
    expect(JSON.stringify(value.list)).not.toContain('s3cr3t');
    expect(value.error.message).not.toContain('s3cr3t');
    expect(value.error).toBeInstanceOf(SentryError);
  });
});

describe('event bus', () => {
  it('delivers typed, redacted payloads and survives a throwing handler', () => {
    const bus = createEventBus(createRedactor(['topsecret']));
    const seen: string[] = [];
    const errors: string[] = [];
    bus.on('error', ({ context }) => errors.push(context));
    bus.on('job:output', () => {
      throw new Error('boom');
    });
    const off = bus.on('job:output', ({ text }) => seen.push(text));
    bus.emit('job:output', {
      runId: 'r',
      jobId: 'j',
      repository: 'x',
      branch: 'main',
      stream: 'stdout',
      text: 'value topsecret',
    });
    off();
    bus.emit('job:output', {
      runId: 'r',
      jobId: 'j',
      repository: 'x',
      branch: 'main',
      stream: 'stdout',
      text: 'again',
    });
    expect(seen).toEqual([`value ${REDACTED}`]);
    expect(errors).toEqual(['handler of "job:output"', 'handler of "job:output"']);
  });
});

describe('plugins', () => {
  it('loads a plugin by path with options and validates its shape, naming it on failure', async () => {
    const dir = await tempdir();
    await writeFile(
      path.join(dir, 'good.mjs'),
      "export default (options) => ({ name: 'good', strategies: [{ id: 'canary-' + options.size, run: async () => [] }] });\n",
    );
    await writeFile(path.join(dir, 'bad.mjs'), "export default { name: 'bad', executors: [{ id: 'x' }] };\n");
    const [good] = await loadPlugins([['./good.mjs', { size: 1 }]], { configDir: dir });
    expect(good!.strategies![0]!.id).toBe('canary-1');
    await expect(loadPlugins(['./bad.mjs'], { configDir: dir })).rejects.toThrow(
      /Plugin "\.\/bad\.mjs" executors\[0\] \("x"\) has no execute\(\) function/,
    );
    await expect(loadPlugins(['./missing.mjs'], { configDir: dir })).rejects.toMatchObject({
      code: 'PLUGIN_LOAD_FAILED',
      message: expect.stringContaining('./missing.mjs'),
    });
    await expect(loadPlugins(['@sentry-git/no-such-plugin'], { configDir: dir })).rejects.toMatchObject({
      code: 'PLUGIN_LOAD_FAILED',
    });
  });

  it('refuses two plugins claiming the same id, and falls back to git for forge types', () => {
    const registry = createRegistry([corePlugin]);
    expect(() =>
      registry.register({ name: 'other', strategies: [{ id: 'parallel', run: async () => [] }] }),
    ).toThrow(/already registered by "@sentry-git\/core"/);
    expect(() => registry.provider('github')).toThrow(/No provider "github"/);
    registry.register({
      name: 'git',
      providers: [
        {
          id: 'git',
          capabilities: {
            changedFiles: false,
            commitStatus: false,
            webhooks: false,
          },
          listHeads: async () => ({ heads: [] }),
        },
      ],
    });
    expect(registry.provider('github')).toMatchObject({ fallback: true, provider: { id: 'git' } });
  });
});

describe('poll schedule', () => {
  const repos = validateConfig({
    repositories: [
      { name: 'a', monitor: { repo_url: 'x', branches: ['main'] }, deploy: { commands: ['true'] } },
      {
        name: 'b',
        monitor: { repo_url: 'x', branches: ['main'], polling_interval: 600 },
        deploy: { commands: ['true'] },
      },
    ],
  }).repositories;

  it('polls everything first, then each repository at its own interval, backing off on failures', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0 });
    expect(book.due(0).map((r) => r.name)).toEqual(['a', 'b']);
    book.record(repos[0]!, null, 1_000);
    book.record(repos[1]!, null, 1_000);
    expect(book.get('a').nextDueAt).toBe(61_000);
    expect(book.get('b').nextDueAt).toBe(601_000);
    expect(book.earliest()).toBe(61_000);
    expect(book.due(61_000).map((r) => r.name)).toEqual(['a']);
    const failed = book.record(repos[0]!, 'host down', 61_000);
    expect(failed).toMatchObject({
      consecutiveFailures: 1,
      lastError: 'host down',
      nextDueAt: 61_000 + 120_000,
    });
    expect(book.record(repos[0]!, null, 200_000)).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it('groups repositories due within the jitter window into one cycle', () => {
    const book = createHealthBook(repos, { interval: 60, jitter: 0.1 });
    book.record(repos[0]!, null, 0);
    book.record(repos[1]!, null, 0);
    const aDue = book.get('a').nextDueAt;
    expect(book.due(aDue - 6_000).map((r) => r.name)).toEqual(['a']);
    expect(book.due(aDue - 7_000)).toEqual([]);
  });
});

describe('literal branch patterns', () => {
  it('tells plain names (escaped punctuation included) from regular expressions', () => {
    expect(literalBranch('main')).toBe('main');
    expect(literalBranch('feature/#123')).toBe('feature/#123');
    expect(literalBranch('release/1\\.2')).toBe('release/1.2');
    expect(literalBranch('dev.*')).toBeNull();
    expect(literalBranch('v\\d+')).toBeNull();
    expect(literalBranch('a\\')).toBeNull();
    expect(literalBranches(['main', 'main', 'release\\.1'])).toEqual(['main', 'release.1']);
    expect(literalBranches(['main', 'dev.*'])).toBeNull();
    expect(literalBranches([])).toBeNull();
  });
});

describe('signatures', () => {
  it('signs with HMAC-SHA256 (the known-answer vector) and compares in constant time', () => {
    expect(hmacSha256Hex("It's a Secret to Everybody", 'Hello, World!')).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual(Buffer.from('x'), 'x')).toBe(true);
  });
});

describe('retry backoff', () => {
  it('doubles from the base, caps, keeps at least half, and a wait ends with the abort reason', async () => {
    expect(backoffDelay(0, 500, 8000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 8000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 8000, () => 1)).toBe(4000);
    expect(backoffDelay(10, 500, 8000, () => 1)).toBe(8000);
    const controller = new AbortController();
    const reason = new Error('stop');
    const waiting = abortableDelay(3_600_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
