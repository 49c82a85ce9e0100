import { describe, expect, it } from 'vitest';
import { createHealthBook } from '../src/engine/health.js';
import { createQuotaBudget, quotaKey } from '../src/engine/quota-budget.js';
import { validateConfig } from '../src/index.js';

const HOUR = 3_600_000;
const resetAt = new Date(HOUR).toISOString();

/** One poll cycle of `polls` polls that all reported `remaining`. */
function cycle(budget: ReturnType<typeof createQuotaBudget>, key: string, remaining: number, polls: number) {
  for (let i = 0; i < polls; i += 1) budget.observe(key, { limit: 100, remaining, resetAt }, 0);
  budget.settle();
}

describe('quota budget (injected clock)', () => {
  it('never stretches polls that cost nothing (304s on GitHub)', () => {
    const budget = createQuotaBudget();
    cycle(budget, 'k', 100, 10);
    cycle(budget, 'k', 100, 10);
    expect(budget.stretch('k', 1000, 0)).toBe(1);
  });

  it('learns nothing from the first cycle of a window: what it spent is unknown', () => {
    const budget = createQuotaBudget();
    cycle(budget, 'k', 50, 10);
    expect(budget.stretch('k', 1, 0)).toBe(1);
  });

  it('stretches by how far the demand exceeds what is left, keeping the reserve', () => {
    const budget = createQuotaBudget({ reserve: 0.1 });
    cycle(budget, 'k', 96, 4);
    // Four polls spent four units: one per poll.
    cycle(budget, 'k', 92, 4);
    // 92 left, 10 kept back: 82 units over the hour. Polling 1/s would need 3600.
    expect(budget.stretch('k', 1, 0)).toBeCloseTo(3600 / 82, 6);
    // Half-way through the window the same quota lasts twice as long.
    expect(budget.stretch('k', 1, HOUR / 2)).toBeCloseTo(1800 / 82, 6);
    // A demand the quota covers is not stretched.
    expect(budget.stretch('k', 82 / 3600, 0)).toBe(1);
    expect(budget.resetAt('k')).toBe(HOUR);
  });

  it('counts what comparisons spend in the cost of a poll, not as more polls', () => {
    const budget = createQuotaBudget({ reserve: 0.1 });
    cycle(budget, 'k', 96, 4);
    // Four polls spent two units and two comparisons (path filters) two more.
    for (const remaining of [95, 95, 94, 94]) budget.observe('k', { limit: 100, remaining, resetAt }, 0);
    for (const remaining of [93, 92])
      budget.observe('k', { limit: 100, remaining, resetAt }, 0, 'comparison');
    budget.settle();
    // One unit per poll, as in the cycle above: 82 usable units over the hour, 3600 asked for.
    expect(budget.stretch('k', 1, 0)).toBeCloseTo(3600 / 82, 6);
  });

  it('reads parallel answers out of order by their lowest remaining', () => {
    const budget = createQuotaBudget({ reserve: 0 });
    cycle(budget, 'k', 90, 1);
    for (const remaining of [88, 86, 89, 87]) budget.observe('k', { remaining, resetAt }, 0);
    budget.settle();
    // 90 → 86 over four polls.
    expect(budget.stretch('k', 1, 0)).toBeCloseTo(3600 / 86, 6);
  });

  it('starts over when the window resets, and keeps quotas apart', () => {
    const budget = createQuotaBudget({ reserve: 0 });
    cycle(budget, 'k', 60, 10);
    cycle(budget, 'k', 50, 10);
    expect(budget.stretch('k', 1, 0)).toBeGreaterThan(1);
    expect(budget.stretch('other', 1, 0)).toBe(1);
    const next = new Date(2 * HOUR).toISOString();
    budget.observe('k', { limit: 100, remaining: 99, resetAt: next }, HOUR + 1);
    budget.settle();
    expect(budget.stretch('k', 1, HOUR + 1)).toBe(1);
    expect(budget.resetAt('k')).toBe(2 * HOUR);
  });

  it('ignores answers without a reset time or past it', () => {
    const budget = createQuotaBudget();
    budget.observe('k', { remaining: 1 }, 0);
    budget.observe('k', { remaining: 1, resetAt: new Date(0).toISOString() }, 10);
    budget.settle();
    expect(budget.resetAt('k')).toBeUndefined();
  });
});

describe('quotaKey', () => {
  const config = validateConfig({
    repositories: [
      {
        name: 'a',
        monitor: {
          repo_url: 'https://github.com/o/a.git',
          repo_type: 'github',
          branches: ['main'],
          auth: { token: 'ghp_secret1' },
        },
      },
      {
        name: 'b',
        monitor: {
          repo_url: 'https://github.com/o/b.git',
          repo_type: 'github',
          branches: ['main'],
          auth: { token: 'ghp_secret1' },
        },
      },
      {
        name: 'c',
        monitor: {
          repo_url: 'https://github.com/o/c.git',
          repo_type: 'github',
          branches: ['main'],
          auth: { token: 'ghp_secret2' },
        },
      },
      {
        name: 'd',
        monitor: { repo_url: 'git@gitlab.example.com:g/d.git', repo_type: 'gitlab', branches: ['main'] },
      },
      {
        name: 'e',
        monitor: {
          repo_url: 'https://x.example/g/e.git',
          api_base_url: 'https://api.example/api/v4',
          repo_type: 'gitlab',
          branches: ['main'],
        },
      },
    ].map((entry) => ({ ...entry, deploy: { commands: ['true'] } })),
  });
  const [a, b, c, d, e] = config.repositories.map(quotaKey);

  it('is shared by one token on one host, apart for another token, and never holds the token', () => {
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(`${a} ${c}`).not.toContain('secret');
    expect(d).toBe('gitlab gitlab.example.com anonymous');
    expect(e).toBe('gitlab api.example anonymous');
  });
});

describe('health book with a quota budget', () => {
  const config = validateConfig({
    polling_interval: 60,
    repositories: ['a', 'b'].map((name) => ({
      name,
      monitor: { repo_url: `https://gitlab.example/${name}.git`, repo_type: 'gitlab', branches: ['main'] },
      deploy: { commands: ['true'] },
    })),
  });
  const [a, b] = config.repositories as [(typeof config.repositories)[0], (typeof config.repositories)[0]];

  it('stretches the next poll by the budget, never past the reset, and reports the stretch', () => {
    const budget = createQuotaBudget({ reserve: 0 });
    const book = createHealthBook(config.repositories, {
      interval: 60,
      jitter: 0,
      quota: { budget, keyOf: () => 'k' },
    });
    cycle(budget, 'k', 98, 2);
    cycle(budget, 'k', 96, 2);
    // Two repositories every 60 s at one unit each: 120 units an hour; 96 are left.
    expect(book.record(a, null, 0)).toMatchObject({ quotaStretch: 1.25, nextDueAt: 75_000 });
    expect(book.record(b, null, 0).quotaStretch).toBe(1.25);

    // Someone else spent almost everything: the next poll waits for the reset, not for hours.
    cycle(budget, 'k', 2, 2);
    const state = book.record(a, null, 30_000);
    expect(state.quotaStretch).toBeGreaterThan(100);
    expect(state.nextDueAt).toBe(HOUR + 1000);
  });
});
