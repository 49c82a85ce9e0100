import { describe, expect, it } from 'vitest';
import { RateLimitError, SentryError } from '../src/index.js';
import { retry } from '../src/internal.js';

const unreachable = () => new SentryError('PROVIDER_UNREACHABLE', 'down');

describe('retry()', () => {
  it('retries a transient failure with the backoff until it succeeds', async () => {
    const delays: number[] = [];
    const seen: { attempt: number; retriesLeft: number }[] = [];
    const result = await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt.attempt < 3) throw unreachable();
        return 'ok';
      },
      { retries: 5, baseMs: 4, maxMs: 6, random: () => 1, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([
      { attempt: 1, retriesLeft: 5 },
      { attempt: 2, retriesLeft: 4 },
      { attempt: 3, retriesLeft: 3 },
    ]);
    // backoffDelay(0, 4, 6) and backoffDelay(1, 4, 6) with random() = 1: 4, then 8 capped at 6.
    expect(delays).toEqual([4, 6]);
  });

  it('gives up after `retries` retries with the last failure', async () => {
    let calls = 0;
    const failure = retry(
      async () => {
        calls += 1;
        throw new SentryError('PROVIDER_UNREACHABLE', `down ${calls}`);
      },
      { retries: 2, baseMs: 0, maxMs: 0 },
    );
    await expect(failure).rejects.toThrow('down 3');
    expect(calls).toBe(3);
  });

  it('by default retries only what the catalogue calls transient', async () => {
    for (const error of [
      new SentryError('PROVIDER_AUTH_FAILED', 'no'),
      new RateLimitError('later', { resetAt: new Date(Date.now() + 60_000) }),
      new TypeError('a bug'),
    ]) {
      let calls = 0;
      await expect(
        retry(
          async () => {
            calls += 1;
            throw error;
          },
          { retries: 3, baseMs: 0, maxMs: 0 },
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('waits what retryAfterMs says instead of the backoff, and asks shouldRetry when given', async () => {
    const delays: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('429');
      },
      {
        retries: 1,
        baseMs: 10_000,
        maxMs: 10_000,
        shouldRetry: (error) => error instanceof Error && error.message === '429',
        retryAfterMs: () => 1,
        onRetry: ({ delayMs }) => delays.push(delayMs),
      },
    );
    expect(delays).toEqual([1]);
  });

  it('an abort during the wait rejects with the signal reason at once', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const failure = retry(
      async () => {
        throw unreachable();
      },
      {
        retries: 3,
        baseMs: 3_600_000,
        maxMs: 3_600_000,
        signal: controller.signal,
        onRetry: () => queueMicrotask(() => controller.abort(reason)),
      },
    );
    await expect(failure).rejects.toBe(reason);
  });
});
